import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import type { InlineKeyboardButton } from "grammy/types";
import { assemble } from "../src/app.js";
import { createBot } from "../src/bot/index.js";
import { readEnvironment } from "../src/config.js";
import { ContentError } from "../src/content/content.js";
import { StorageError } from "../src/storage/engine.js";
import { languageFromTelegram } from "../src/i18n.js";
import { LocalTelegram, type ChatEvent } from "./local-telegram/emulator.js";
import { type InlineResult, SimulatedUser } from "./local-telegram/user.js";
import { createLogger } from "../src/logger.js";
import { parseTelegramHtml } from "../src/telegram/html.js";

/**
 * The bot in a terminal: the same factory and the same SQLite default as `npm start`, with the
 * Bot API emulated in-process, so no token and no network are needed. Each bot message is
 * printed with its buttons numbered; a number presses a button, anything else is sent as a
 * message. "@words" runs an inline search as if typed in another chat.
 */

const HELP = `Type a message or a command (/start, /help…). A number presses a button of the last message.
"@words" searches like inline mode in another chat; then "i<number>" posts that result.
/quit or Ctrl-D leaves. Chat as a different user with --user <id>, in another language with --lang ru|en.`;

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function chat(): Promise<void> {
  const env = readEnvironment();
  const databasePath = argument("db") ?? env.DATABASE_PATH ?? "data/bot.sqlite";
  const lang = argument("lang") ?? languageFromTelegram((env.LANG ?? "en").slice(0, 2));
  const logger = createLogger({ level: env.LOG_LEVEL ?? "warn", format: "json", destination: process.stderr as never });

  let app;
  try {
    app = await assemble({ databasePath, anonSecret: env.ANON_SECRET, bookingUrl: env.BOOKING_URL, adminIds: [Number(argument("user") ?? 1)], logger });
  } catch (error) {
    if (error instanceof ContentError) {
      for (const p of error.problems) console.error(`Content error: ${p}`);
      process.exit(1);
    }
    if (error instanceof StorageError) {
      console.error(`Storage error: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  // Ids this database has handled (an earlier chat in it) would be skipped as repeats: this one goes on after them.
  const last = await app.storage.db.selectFrom("handled_updates").select((eb) => eb.fn.max("update_id").as("id")).executeTakeFirst();
  const tg = new LocalTelegram({ ...(last?.id == null ? {} : { lastUpdateId: Number(last.id) }) });
  const bot = createBot(app.deps, { token: "0:local-terminal-chat", botInfo: tg.botInfo, client: { fetch: tg.fetch } });
  tg.deliver = async (update) => {
    await bot.handleUpdate(update);
  };
  const user = new SimulatedUser(tg, { id: Number(argument("user") ?? 1), first_name: "Local", language_code: lang });
  const downloads = join(dirname(databasePath), "chat-downloads");

  let buttons: InlineKeyboardButton[] = [];
  let lastMessageId: number | undefined;
  let results: InlineResult[] = [];
  let lastQuery = "";
  const out = (s: string) => process.stdout.write(`${s}\n`);

  tg.onChatEvent((event: ChatEvent) => {
    if (event.chatId !== user.chatId) return;
    const m = event.message;
    if (event.kind === "deleted") {
      out(`  (message ${m.message_id} deleted)`);
      return;
    }
    out("");
    out(event.kind === "edited" ? `── bot (edited message ${m.message_id}) ──` : `── bot ──`);
    if (m.text !== undefined) out(m.text);
    if (m.document !== undefined) {
      out(`[file: ${m.document.file_name}]${m.caption === undefined ? "" : `\n${m.caption}`}`);
      mkdirSync(downloads, { recursive: true });
      const path = join(downloads, m.document.file_name);
      writeFileSync(path, m.document.content);
      out(`  saved to ${path}`);
    }
    const rows = m.reply_markup?.inline_keyboard ?? [];
    if (rows.length > 0) {
      buttons = rows.flat();
      lastMessageId = m.message_id;
      let n = 0;
      for (const row of rows) out(row.map((b) => `[${++n}] ${b.text}${"url" in b && b.url !== undefined ? ` ↗ ${b.url}` : ""}`).join("   "));
    }
  });

  out(HELP);
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY === true });
  rl.setPrompt("> ");
  rl.prompt();
  for await (const raw of rl) {
    const input = raw.trim();
    try {
      if (input === "/quit" || input === "/exit") break;
      if (input === "") {
        // nothing
      } else if (/^\d+$/.test(input)) {
        const button = buttons[Number(input) - 1];
        if (button === undefined) out(`No button ${input}.`);
        else if ("callback_data" in button && button.callback_data !== undefined) {
          const message = user.botMessages().find((m) => m.message_id === lastMessageId);
          await user.pressData(button.callback_data, message);
        } else if ("url" in button && button.url !== undefined) out(`(opens ${button.url})`);
        else if ("copy_text" in button) out(`(copies to the clipboard: ${button.copy_text.text})`);
        else if ("switch_inline_query" in button) out(`(Telegram would let you pick a chat and type @${tg.botInfo.username}; try "@" followed by a few words.)`);
      } else if (input.startsWith("@")) {
        lastQuery = input.slice(1).trim();
        results = await user.inline(lastQuery);
        if (results.length === 0) out("(no results)");
        results.forEach((r, i) => out(`[i${i + 1}] ${r.title}\n      ${r.description ?? ""}`));
      } else if (/^i\d+$/.test(input)) {
        const result = results[Number(input.slice(1)) - 1];
        if (result === undefined) out(`No result ${input}.`);
        else {
          await user.chooseInline(result.id, lastQuery);
          const card = parseTelegramHtml(result.input_message_content.message_text);
          out(`\n── posted in the other chat ──\n${card.ok ? card.text : result.input_message_content.message_text}`);
          for (const b of result.reply_markup?.inline_keyboard.flat() ?? []) out(`[${b.text}]${"url" in b ? ` ↗ ${b.url}` : ""}`);
        }
      } else {
        await user.send(input);
      }
    } catch (error) {
      out(`(error: ${(error as Error).message})`);
    }
    rl.prompt();
  }
  rl.close();
  await app.close();
  const rejected = tg.rejected.length;
  if (rejected > 0) console.error(`${rejected} Bot API call(s) were rejected during this chat; see the log above.`);
  process.exit(0);
}

void chat();
