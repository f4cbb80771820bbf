import { Composer } from "grammy";
import { type Back, cb, decodeBack } from "../callback-data.js";
import type { BotContext } from "../context.js";
import type { BotDeps } from "../deps.js";
import { button, show, type Screen } from "../screen.js";
import { backTarget, navRow, showOutdated } from "../screens.js";

/**
 * The consultation handoff: the firm's phone, what a consultation is, what to prepare, and the
 * booking link. The booking button is a callback first so the click can be counted; it then
 * reveals the link itself. No link carries anything about the user.
 */
export function handoffFeature(deps: BotDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();
  const bookingUrl = deps.settings.bookingUrl;

  function screen(ctx: BotContext, back: Back, revealed: boolean): Screen {
    const text = ctx.t("handoff.text", { phone: deps.content.firm.phone, disclaimer: ctx.t("common.disclaimer") });
    const nav = navRow(ctx, backTarget(back));
    if (bookingUrl === undefined) return { html: `${text}\n\n${ctx.t("handoff.noBooking")}`, keyboard: [nav] };
    const book = revealed ? button.url(`${ctx.t("buttons.book")} ↗`, bookingUrl) : button.cb(ctx.t("buttons.book"), cb.booking(back));
    return { html: text, keyboard: [[book], nav] };
  }

  async function open(ctx: BotContext, back: Back, mode: "auto" | "new") {
    deps.stats.count("handoff");
    await show(ctx, screen(ctx, back, false), mode);
  }

  feature.command("lawyer", (ctx) => open(ctx, { to: "menu" }, "new"));
  feature.callbackQuery(/^h(?::(.+))?$/, async (ctx) => {
    const back = decodeBack(ctx.match[1]);
    if (back === undefined) return showOutdated(ctx);
    await open(ctx, back, "auto");
  });
  feature.callbackQuery(/^bk(?::(.+))?$/, async (ctx) => {
    const back = decodeBack(ctx.match[1]);
    if (back === undefined || bookingUrl === undefined) return showOutdated(ctx);
    deps.stats.count("booking_click");
    await show(ctx, screen(ctx, back, true));
  });
  return feature;
}
