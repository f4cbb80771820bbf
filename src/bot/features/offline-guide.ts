import { Composer, InputFile } from "grammy";
import { buildOfflineGuide } from "../../guide/offline-guide.js";
import type { BotContext } from "../context.js";
import type { BotDeps } from "../deps.js";
import { firstTap } from "../once.js";
import { renderContext } from "../screens.js";

/** /guide: the whole guide as one offline HTML file, in the reader's language. */
export function offlineGuideFeature(deps: BotDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();
  // The file depends only on the language, the bot's name and the day: build it once per day.
  const cache = new Map<string, Buffer>();

  function file(ctx: BotContext): Buffer {
    const today = new Date(deps.now());
    const key = `${ctx.lang}|${ctx.me.username}|${today.toISOString().slice(0, 10)}`;
    let bytes = cache.get(key);
    if (bytes === undefined) {
      cache.clear();
      bytes = Buffer.from(buildOfflineGuide(renderContext(ctx, deps), today, deps.settings.bookingUrl), "utf8");
      cache.set(key, bytes);
    }
    return bytes;
  }

  async function send(ctx: BotContext) {
    await ctx.replyWithDocument(new InputFile(file(ctx), ctx.t("guide.filename")), {
      caption: ctx.t("guide.caption", { lang: ctx.t("meta.name") }),
      parse_mode: "HTML",
    });
  }

  feature.command("guide", send);
  feature.callbackQuery("og", async (ctx) => {
    await ctx.answerCallbackQuery();
    if (firstTap(ctx, "og", deps.now())) await send(ctx);
  });
  return feature;
}
