import { Composer } from "grammy";
import type { InlineQueryResultArticle } from "grammy/types";
import { renderTopicCard } from "../../content/render.js";
import type { Lang } from "../../i18n.js";
import type { BotContext } from "../context.js";
import { deepLink } from "../deep-link.js";
import type { BotDeps } from "../deps.js";
import { button } from "../screen.js";
import { renderContext } from "../screens.js";

/** Results are cached by Telegram for a few minutes: content changes rarely, queries repeat often. */
const CACHE_SECONDS = 300;

/**
 * Inline mode: "@bot question" in any chat finds topics and posts a self-contained card with a
 * button that opens the bot at that topic. Results depend on the user's language, so Telegram
 * is told they are personal.
 */
export function inlineFeature(deps: BotDeps, userLanguage: (ctx: BotContext) => Promise<Lang>): Composer<BotContext> {
  const feature = new Composer<BotContext>();

  feature.on("inline_query", async (ctx) => {
    const query = ctx.inlineQuery.query.slice(0, 256);
    const { lang, topics } = deps.search.search(query, await userLanguage(ctx), 10);
    deps.stats.count("inline_query", lang);
    const view = { t: deps.i18n.t(lang), lang, me: ctx.me };
    const r = renderContext(view, deps);
    const results: InlineQueryResultArticle[] = topics.map((id) => ({
      type: "article",
      id: resultId(lang, id),
      title: view.t(`topics.${id}.title`),
      description: view.t(`topics.${id}.description`),
      input_message_content: { message_text: renderTopicCard(r, deps.content.topic(id)!), parse_mode: "HTML", link_preview_options: { is_disabled: true } },
      reply_markup: { inline_keyboard: [[button.url(view.t("buttons.openInBot"), deepLink(ctx.me.username, { lang, topic: id, source: "in" }))]] },
    }));
    await ctx.answerInlineQuery(results, {
      cache_time: CACHE_SECONDS,
      is_personal: true,
      button: { text: view.t(results.length === 0 ? "inline.empty" : "inline.openBot"), start_parameter: lang },
    });
  });

  feature.on("chosen_inline_result", (ctx) => {
    const topic = parseResultId(ctx.chosenInlineResult.result_id);
    if (topic !== undefined && deps.content.topic(topic) !== undefined) deps.stats.count("inline_chosen", topic);
  });

  return feature;
}

/** Stable, short (well under Telegram's 64 bytes) and free of anything about the user. */
export function resultId(lang: Lang, topicId: string): string {
  return `${lang}:${topicId}`;
}

function parseResultId(id: string): string | undefined {
  return /^(?:ru|en):([a-z0-9-]+)$/.exec(id)?.[1];
}
