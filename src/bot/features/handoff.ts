import { Composer } from "grammy";
import { firmAbout } from "../../content/render.js";
import type { Back } from "../callback-data.js";
import type { CallbackRouter } from "../callback-router.js";
import type { BotContext } from "../context.js";
import type { BotDeps, ContentDeps } from "../deps.js";
import { button, type Screen, show } from "../screen.js";
import { backTarget, navRow, type View } from "../screens.js";

/**
 * The consultation handoff: who the firm is, how and in which language a consultation is held,
 * what it costs, how to reach the firm from abroad, what to prepare, and booking in one tap. No
 * link carries anything about the user, and the bot passes nothing on.
 */
export function handoffFeature(deps: BotDeps, buttons: CallbackRouter): Composer<BotContext> {
  const feature = new Composer<BotContext>();

  async function open(ctx: BotContext, back: Back, mode: "auto" | "new") {
    deps.stats.count("handoff");
    await show(ctx, handoffScreen(ctx, deps, back), mode);
  }

  feature.command("lawyer", (ctx) => open(ctx, { to: "menu" }, "new"));
  buttons.on("handoff", (ctx, { back }) => open(ctx, back, "auto"));
  return feature;
}

/** The firm's details that are set, one line each, in the reader's language. */
export function firmLines(view: View, deps: ContentDeps): { about: string[]; contacts: string[] } {
  const t = view.t;
  const firm = deps.content.firm;
  const about = firmAbout(t, view.lang, firm);
  const contacts = [
    ...(firm.phone === "" ? [] : [t("handoff.phone", { phone: firm.phone }), ...(firm.phone.startsWith("+1") ? [t("handoff.phoneAbroad")] : [])]),
    ...(firm.email === "" ? [] : [t("handoff.email", { email: firm.email })]),
    ...(firm.messenger.url === "" ? [] : [t("handoff.messenger", { label: firm.messenger.label, url: firm.messenger.url })]),
  ];
  return { about, contacts };
}

export function handoffScreen(view: View, deps: ContentDeps, back: Back, lead?: string): Screen {
  const t = view.t;
  const { about, contacts } = firmLines(view, deps);
  const booking = deps.settings.bookingUrl;
  const html = [
    ...(lead === undefined ? [] : [lead]),
    t("handoff.title"),
    about.join("\n"),
    ...(contacts.length === 0 ? [] : [contacts.join("\n")]),
    t("handoff.prepare"),
    `${booking === undefined ? t("handoff.noBooking") : t("handoff.afterBooking")}\n${t("common.disclaimer")}`,
  ].join("\n\n");
  const messenger = deps.content.firm.messenger;
  return {
    html,
    keyboard: [
      ...(booking === undefined ? [] : [[button.url(t("buttons.book"), booking)]]),
      ...(messenger.url === "" ? [] : [[button.url(`💬 ${messenger.label}`, messenger.url)]]),
      navRow(view, backTarget(back, deps)),
    ],
  };
}
