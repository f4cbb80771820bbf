import { Bot, session } from "grammy";
import type { InlineKeyboardButton, InlineQueryResultArticle } from "grammy/types";
import { CONTENT_DIR, LOCALES_DIR } from "../src/app.js";
import { loadContent } from "../src/content/content.js";
import { renderTopic, renderTopicCard } from "../src/content/render.js";
import { createI18n, readLocales } from "../src/i18n.js";
import type { LocalTelegram } from "../tools/local-telegram/emulator.js";

/**
 * The baseline: grammY with in-memory sessions and nothing else. It answers the same updates
 * with replies of the same size and shape (the real texts and keyboards, rendered once in
 * advance), so the difference to the full bot is what our features, storage and safety cost.
 */
type BareContext = import("grammy").Context & { session: { shown: number } };

export function createBareBot(token: string, tg: LocalTelegram): Bot<BareContext> {
  const i18n = createI18n(readLocales(LOCALES_DIR));
  const content = loadContent(CONTENT_DIR, i18n);
  const r = { content, t: i18n.t("ru"), lang: "ru" as const, username: tg.botInfo.username, staleAfterDays: undefined };
  const keyboard = (n: number): InlineKeyboardButton[][] => Array.from({ length: n }, (_, i) => [{ text: `Button ${i}`, callback_data: `t:${content.topics[i % content.topics.length]!.id}` }]);
  const screens = content.topics.map((topic) => ({ html: renderTopic(r, topic), keyboard: keyboard(4) }));
  const menu = { html: i18n.t("ru")("start.menu", { disclaimer: i18n.t("ru")("common.disclaimer") }), keyboard: keyboard(8) };
  const results: InlineQueryResultArticle[] = content.topics.slice(0, 10).map((topic) => ({
    type: "article",
    id: `ru:${topic.id}`,
    title: topic.id,
    description: topic.id,
    input_message_content: { message_text: renderTopicCard(r, topic), parse_mode: "HTML" },
  }));

  const bot = new Bot<BareContext>(token, { botInfo: tg.botInfo, client: { fetch: tg.fetch } });
  bot.use(session({ initial: () => ({ shown: -1 }) }));
  bot.on("message", (ctx) => ctx.reply(menu.html, { parse_mode: "HTML", reply_markup: { inline_keyboard: menu.keyboard } }));
  bot.on("callback_query:data", async (ctx) => {
    await ctx.answerCallbackQuery();
    let h = 0;
    for (const ch of ctx.callbackQuery.data) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    const index = h % screens.length;
    // Like the real bot, never edit a message to what it already shows.
    if (index === ctx.session.shown) return;
    ctx.session.shown = index;
    const screen = screens[index]!;
    if (ctx.callbackQuery.message !== undefined) await ctx.editMessageText(screen.html, { parse_mode: "HTML", reply_markup: { inline_keyboard: screen.keyboard } });
  });
  bot.on("inline_query", (ctx) => ctx.answerInlineQuery(results, { cache_time: 300, is_personal: true }));
  return bot;
}
