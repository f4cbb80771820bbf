/**
 * The benchmark's baselines, run as their own process like the real bot: bare grammY with the
 * runner and `sequentialize` (polling) or `webhookCallback` (webhook), and replies of the same
 * size and shape as the real bot's (its real texts and keyboards, rendered once in advance).
 * Sessions in memory, or, with BARE_STORE, in what a grammY user would deploy: SQLite through a
 * minimal StorageAdapter over better-sqlite3 (sqlite:<path>), or PostgreSQL through
 * @grammyjs/storage-psql (postgres://…). The difference to the full bot is what our features,
 * storage and safety cost.
 *
 *   BOT_TOKEN=… TELEGRAM_API_ROOT=http://127.0.0.1:… [BARE_STORE=…] [WEBHOOK_URL=… WEBHOOK_SECRET=… PORT=…] node dist/bench/bare-bot.js
 */
import { createServer } from "node:http";
import { run, sequentialize } from "@grammyjs/runner";
import { PsqlAdapter } from "@grammyjs/storage-psql";
import Database from "better-sqlite3";
import { Bot, type Context, session, type SessionFlavor, type StorageAdapter, webhookCallback } from "grammy";
import pg from "pg";
import type { InlineKeyboardButton, InlineQueryResultArticle } from "grammy/types";
import { CONTENT_DIR, LOCALES_DIR } from "../src/app.js";
import { loadContent } from "../src/content/content.js";
import { renderTopic, renderTopicCard } from "../src/content/render.js";
import { createI18n, readLocales } from "../src/i18n.js";

type Shown = { shown: number };
type BareContext = Context & SessionFlavor<Shown>;

/** The least a grammY user would write to keep sessions in SQLite: WAL, prepared statements, one row per key. */
function sqliteSessions(path: string): StorageAdapter<Shown> {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec("CREATE TABLE IF NOT EXISTS sessions (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  const get = db.prepare<[string], { value: string }>("SELECT value FROM sessions WHERE key = ?");
  const put = db.prepare("INSERT INTO sessions (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  const remove = db.prepare("DELETE FROM sessions WHERE key = ?");
  return {
    read: (key) => {
      const row = get.get(key);
      return row === undefined ? undefined : (JSON.parse(row.value) as Shown);
    },
    write: (key, value) => void put.run(key, JSON.stringify(value)),
    delete: (key) => void remove.run(key),
  };
}

async function sessionStore(spec: string | undefined): Promise<StorageAdapter<Shown> | undefined> {
  if (spec === undefined || spec === "") return undefined;
  if (spec.startsWith("sqlite:")) return sqliteSessions(spec.slice("sqlite:".length));
  const pool = new pg.Pool({ connectionString: spec, max: 10 });
  return (await PsqlAdapter.create({ tableName: "sessions", client: pool as unknown as pg.Client })) as StorageAdapter<Shown>;
}

function createBareBot(token: string, apiRoot: string, storage: StorageAdapter<Shown> | undefined): Bot<BareContext> {
  const i18n = createI18n(readLocales(LOCALES_DIR));
  const content = loadContent(CONTENT_DIR, i18n);
  const r = { content, t: i18n.t("ru"), lang: "ru" as const, username: "asylum_basics_bot", staleAfterDays: undefined };
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

  const bot = new Bot<BareContext>(token, { client: { apiRoot } });
  bot.use(sequentialize((ctx: Context) => String(ctx.chat?.id ?? ctx.from?.id ?? "")));
  bot.use(session({ initial: () => ({ shown: -1 }), ...(storage === undefined ? {} : { storage }) }));
  bot.on("message", (ctx) => ctx.reply(menu.html, { parse_mode: "HTML", reply_markup: { inline_keyboard: menu.keyboard } }));
  bot.on("callback_query:data", async (ctx) => {
    let h = 0;
    for (const ch of ctx.callbackQuery.data) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    const index = h % screens.length;
    const screen = screens[index]!;
    // Like the real bot: never edit a message to what it already shows, and stop the spinner once
    // the screen has changed, so that the stand-in times the same moment for both (it counts a
    // press as answered at answerCallbackQuery).
    if (index !== ctx.session.shown) {
      ctx.session.shown = index;
      if (ctx.callbackQuery.message !== undefined) await ctx.editMessageText(screen.html, { parse_mode: "HTML", reply_markup: { inline_keyboard: screen.keyboard } });
    }
    await ctx.answerCallbackQuery();
  });
  bot.on("inline_query", (ctx) => ctx.answerInlineQuery(results, { cache_time: 300, is_personal: true }));
  bot.catch(() => undefined);
  return bot;
}

async function main(): Promise<void> {
  // sequentialize chains each chat's handlers on promises nobody awaits, so a failed call (a
  // connection the stand-in reset) escapes bot.catch as an unhandled rejection and would end the
  // baseline mid-round; a deployed grammY bot would log it and go on, as this one does.
  process.on("unhandledRejection", () => undefined);
  const bot = createBareBot(process.env.BOT_TOKEN!, process.env.TELEGRAM_API_ROOT!, await sessionStore(process.env.BARE_STORE));
  await bot.init();
  const webhookUrl = process.env.WEBHOOK_URL;
  if (webhookUrl === undefined) {
    const runner = run(bot);
    process.once("SIGTERM", () => void runner.stop().then(() => process.exit(0)));
  } else {
    const secret = process.env.WEBHOOK_SECRET!;
    const handle = webhookCallback(bot, "http", { secretToken: secret });
    const server = createServer((req, res) => void handle(req, res));
    await new Promise<void>((resolve) => server.listen(Number(process.env.PORT), "127.0.0.1", resolve));
    await bot.api.setWebhook(webhookUrl, { secret_token: secret });
    process.once("SIGTERM", () => server.close(() => process.exit(0)));
  }
  console.log("bot started");
}

await main();
