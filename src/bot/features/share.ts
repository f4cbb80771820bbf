import { Composer } from "grammy";
import { cb } from "../callback-data.js";
import type { CallbackRouter } from "../callback-router.js";
import type { BotContext } from "../context.js";
import { deepLink } from "../deep-link.js";
import type { BotDeps } from "../deps.js";
import { button, type Screen, show } from "../screen.js";
import { navRow, type View } from "../screens.js";

/**
 * Sharing with someone close: a link that opens the bot in Russian, Telegram's share sheet for
 * it, a topic card for any chat (inline mode), and the offline guide. What a volunteer passes on
 * is Russian whatever their own interface, so the card button pre-fills "ru" for them.
 */
export function shareFeature(deps: BotDeps, buttons: CallbackRouter): Composer<BotContext> {
  const feature = new Composer<BotContext>();

  function screen(view: View): Screen {
    const link = deepLink(view.me.username, { lang: "ru", source: "sh" });
    const relativeText = deps.i18n.t("ru")("share.linkText");
    const shareSheet = `https://t.me/share/url?url=${encodeURIComponent(link)}&text=${encodeURIComponent(relativeText)}`;
    // What a sharer sends is for someone close: the Russian guide opens with the relatives' section.
    const guides = view.lang === "ru" ? [cb.guide("ru", true)] : [cb.guide("ru", true), cb.guide("en")];
    return {
      html: view.t("share.text", { link }),
      keyboard: [
        [button.url(view.t("buttons.shareLink"), shareSheet)],
        [{ text: view.t("buttons.shareInline"), switch_inline_query: view.lang === "ru" ? "" : "ru " }],
        ...guides.map((data) => [button.cb(view.t(data === cb.guide("ru", true) ? "buttons.guideRu" : "buttons.guideEn"), data)]),
        navRow(view, cb.menu),
      ],
    };
  }

  feature.command("share", (ctx) => show(ctx, screen(ctx), "new"));
  buttons.on("share", (ctx) => show(ctx, screen(ctx)));
  return feature;
}
