import { Composer } from "grammy";
import { cb } from "../callback-data.js";
import type { BotContext } from "../context.js";
import { deepLink } from "../deep-link.js";
import type { BotDeps } from "../deps.js";
import { button, show, type Screen } from "../screen.js";
import { navRow, type View } from "../screens.js";

/**
 * Sharing: a link that opens the bot in Russian for a relative, Telegram's own share sheet for
 * it, and a button that posts a topic card into any chat through inline mode.
 */
export function shareFeature(deps: BotDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();

  function screen(view: View): Screen {
    const link = deepLink(view.me.username, { lang: "ru", source: "sh" });
    const relativeText = deps.i18n.t("ru")("share.linkText");
    const shareSheet = `https://t.me/share/url?url=${encodeURIComponent(link)}&text=${encodeURIComponent(relativeText)}`;
    return {
      html: view.t("share.text", { link }),
      keyboard: [
        [button.url(view.t("buttons.shareLink"), shareSheet)],
        [{ text: view.t("buttons.shareInline"), switch_inline_query: "" }],
        [button.cb(view.t("buttons.guide"), cb.offlineGuide)],
        navRow(view, cb.menu),
      ],
    };
  }

  feature.command("share", (ctx) => show(ctx, screen(ctx), "new"));
  feature.callbackQuery("sh", (ctx) => show(ctx, screen(ctx)));
  return feature;
}
