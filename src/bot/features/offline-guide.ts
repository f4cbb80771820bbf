import { isoDay } from "../../content/dates.js";
import { Composer, InputFile } from "grammy";
import { buildOfflineGuide } from "../../guide/offline-guide.js";
import type { Lang } from "../../i18n.js";
import { cb } from "../callback-data.js";
import type { CallbackRouter } from "../callback-router.js";
import type { BotContext } from "../context.js";
import type { BotDeps } from "../deps.js";
import { firstTap } from "../first-tap.js";
import { button, show } from "../screen.js";
import { navRow, renderContext } from "../screens.js";

/**
 * /guide: the whole guide as one offline HTML file. A Russian reader gets it in Russian; from the
 * English interface the reader chooses, since what a volunteer sends relatives is the Russian one.
 */
export function offlineGuideFeature(deps: BotDeps, buttons: CallbackRouter): Composer<BotContext> {
  const feature = new Composer<BotContext>();
  // The file depends on the language, the bot's name and the day: build each once a day.
  const cache = new Map<string, Buffer>();

  function file(ctx: BotContext, lang: Lang, forRelative: boolean): Buffer {
    const today = new Date(deps.now());
    const key = `${lang}|${forRelative}|${ctx.me.username}|${isoDay(today)}`;
    let bytes = cache.get(key);
    if (bytes === undefined) {
      if (cache.size >= 8) cache.clear();
      const view = { t: deps.i18n.t(lang), lang, me: ctx.me };
      bytes = Buffer.from(buildOfflineGuide(renderContext(view, deps), today, deps.settings.bookingUrl, forRelative ? "relative" : "reader"), "utf8");
      cache.set(key, bytes);
    }
    return bytes;
  }

  async function send(ctx: BotContext, lang: Lang, forRelative = false) {
    const t = deps.i18n.t(lang);
    await ctx.replyWithDocument(new InputFile(file(ctx, lang, forRelative), t("guide.filename")), {
      // The file's language, named in the reader's: "Offline guide (Russian)", «Офлайн-памятка (на английском)».
      caption: ctx.t("guide.caption", { lang: ctx.t(`guide.language.${lang}`) }),
      parse_mode: "HTML",
    });
  }

  async function offer(ctx: BotContext, mode: "auto" | "new") {
    if (ctx.lang === "ru") {
      if (ctx.callbackQuery !== undefined) await ctx.answerCallbackQuery();
      if (mode === "new" || firstTap(ctx, cb.guide("ru"), deps.now())) await send(ctx, "ru");
      return;
    }
    // From the English interface the Russian guide is the one for relatives: it opens with their section.
    const keyboard = [[button.cb(ctx.t("buttons.guideRu"), cb.guide("ru", true))], [button.cb(ctx.t("buttons.guideEn"), cb.guide("en"))], navRow(ctx, cb.menu)];
    await show(ctx, { html: ctx.t("guide.choose"), keyboard }, mode);
  }

  feature.command("guide", (ctx) => offer(ctx, "new"));
  buttons
    .on("guide", async (ctx, { lang, forRelative }) => {
      if (lang === undefined) return offer(ctx, "auto");
      await ctx.answerCallbackQuery();
      if (firstTap(ctx, cb.guide(lang, forRelative), deps.now())) await send(ctx, lang, forRelative);
    });
  return feature;
}
