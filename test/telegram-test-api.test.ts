import { mkdtempSync } from "node:fs";
import { createServer, type RequestListener, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TelegramClient } from "telegram-test-api/lib/modules/telegramClient.js";
import { TelegramServer } from "telegram-test-api/lib/telegramServer.js";
import { afterEach, describe, expect, it } from "vitest";
import { htmlToText } from "../src/telegram/html.js";
import { removeDir } from "./support/harness.js";
import { type BotProcess, botStarted, listen, startBotProcess, waitFor } from "./support/process.js";
import { en, firstLine } from "./support/texts.js";

/**
 * The bot against a Bot API implementation nobody here wrote: `telegram-test-api` (npm), an
 * emulator of getMe, getUpdates, sendMessage, editMessageText, editMessageReplyMarkup,
 * deleteMessage, answerCallbackQuery and the webhook methods. `node dist/src/main.js` in polling
 * mode talks to it over HTTP, with nothing in between. Where the emulator departs from the Bot API
 * documentation (https://core.telegram.org/bots/api), this test says so and the bot is left as it
 * is for Telegram:
 *
 * - Methods it does not implement (setMyCommands, setMyDescription, setMyShortDescription here)
 *   are answered with HTTP 500 and `{"message": "..."}`, not the documented `{"ok": false,
 *   "error_code", "description"}`. The bot sees a non-Bot-API answer and says so.
 * - getUpdates answers at once whatever its `timeout` (no long polling), so the bot polls in a
 *   tight loop while this test runs; and it ignores `offset`: an update is handed out once and
 *   marked read, confirmed or not.
 * - sendMessage's result has `date` in milliseconds (the docs: Unix time, seconds) and no `from`;
 *   editMessageText and answerCallbackQuery return `null` (the docs: the edited Message or true; true).
 * - getMe's user has no `is_bot`.
 * - Its `port: 0` means "the default", 9000, so the test serves its request handler itself on port 0.
 */

const TOKEN = "123456:independent-emulator-token";
const USER = 7_100_001;

let bot: BotProcess | undefined;
let server: Server | undefined;
let dir: string | undefined;
afterEach(async () => {
  if (bot !== undefined && bot.child.exitCode === null) await bot.stop("SIGKILL");
  if (server !== undefined) {
    server.closeAllConnections();
    await new Promise((r) => server!.close(r));
  }
  if (dir !== undefined) removeDir(dir);
  bot = server = dir = undefined;
});

describe("against telegram-test-api, an independent Bot API emulator", () => {
  it("starts, warns once about the profile methods it lacks, answers /start, edits on a press and replies to typed text", async () => {
    const emulator = new TelegramServer({ host: "127.0.0.1" });
    // Its request handler (private in its types) on a port the system picks: see above.
    server = createServer((emulator as unknown as { webServer: RequestListener }).webServer);
    const apiRoot = await listen(server);
    dir = mkdtempSync(join(tmpdir(), "asylum-test-emulator-"));
    bot = startBotProcess({ BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: apiRoot, DATABASE_PATH: join(dir, "bot.sqlite") });
    await botStarted(bot);

    const client = new TelegramClient(apiRoot, TOKEN, { userId: USER, chatId: USER, firstName: "Emu" });
    const fromUser = { from: { id: USER, is_bot: false, first_name: "Emu", language_code: "en" } };
    const botMessages = () => emulator.storage.botMessages.filter((m) => String(m.message.chat_id) === String(USER));

    await client.sendCommand(client.makeCommand("/start", fromUser));
    await waitFor(() => botMessages().length === 1, "the answer to /start", 30_000, bot.output);
    const menu = botMessages()[0]!;
    expect(firstLine(htmlToText(menu.message.text!))).toBe(firstLine(en("start.greeting", { date: "", disclaimer: "" })));
    const buttons = (menu.message.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] }).inline_keyboard.flat();
    const topics = buttons.find((b) => b.text === en("buttons.topics"))!;
    expect(topics).toBeDefined();

    // The press carries the message it was made on, as Telegram sends it (date in seconds).
    const pressed = { message_id: menu.messageId, date: Math.floor(menu.time / 1000), text: htmlToText(menu.message.text!) };
    await client.sendCallback(client.makeCallbackQuery(topics.callback_data, { ...fromUser, message: pressed }));
    await waitFor(() => firstLine(htmlToText(botMessages()[0]!.message.text!)) !== firstLine(pressed.text), "the menu to become the topic list", 30_000, bot.output);
    expect(botMessages()).toHaveLength(1);
    const sections = (botMessages()[0]!.message.reply_markup as { inline_keyboard: { text: string }[][] }).inline_keyboard.flat().map((b) => b.text);
    expect(sections).toContain(en("sections.case"));

    await client.sendMessage(client.makeMessage("thank you so much", fromUser));
    await waitFor(() => botMessages().length === 2, "a reply to typed text", 30_000, bot.output);
    expect(htmlToText(botMessages()[1]!.message.text!)).toBe(en("free.thanks"));

    // The profile's first try ends after the client's retries of a 5xx (about 3.5 s): one warning,
    // naming the method and what came instead of an answer; the next try is a minute later.
    await waitFor(() => bot!.output().includes("could not register the bot's commands"), "the warning about the profile", 30_000, bot.output);
    const { code } = await bot.stop("SIGTERM");
    const lines = bot
      .output()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const warnings = lines.filter((l) => String(l.msg).includes("could not register the bot's commands"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 40, method: "setMyCommands", code: 500 });
    expect(warnings[0]!.answer).toMatch(/^HTTP 500, not a Bot API answer: .*API method 'setMyCommands' is not supported/);
    expect(bot.output()).not.toContain("undefined");
    expect(code).toBe(0);
  });
});
