import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { LocalTelegram } from "../tools/local-telegram/emulator.js";
import { allBytes, forms } from "./support/files.js";
import { type BotProcess, botStarted, httpAddress, ownStopMs, waitFor } from "./support/process.js";
import { processScope } from "./support/scope.js";
import { en as EN, ru as RU } from "./support/texts.js";

/**
 * The bot as it runs in production: `node dist/src/main.js` (what `npm start` runs) in its own process, talking
 * HTTP to the local Bot API. These are the acceptance checks, run from outside the bot.
 */

const TOKEN = "123456:process-test-token";

const botMessages = (tg: LocalTelegram, chatId: number) => tg.visible(chatId).filter((m) => m.fromBot);

describe.concurrent("npm start, polling, against a local Bot API server", () => {
  it("answers ru and en users, registers commands, stops on SIGTERM with 0 within its own 4.5 s, and writes nothing identifying", async (context) => {
    const { setup, start } = processScope(context, TOKEN);
    const { tg, apiRoot, dir, databasePath, server } = await setup();
    const bot = start({ TELEGRAM_API_ROOT: apiRoot, DATABASE_PATH: databasePath, LOG_LEVEL: "debug" });
    await botStarted(bot);

    const ru = server.user(8123456789, { language_code: "ru", first_name: "Светозар", username: "svetozar_unique_77" });
    const en = server.user(8987654321, { language_code: "en", first_name: "Quillon", username: "quillon_unique_88" });
    await ru.send("/start");
    await en.send("/start");
    await waitFor(() => botMessages(tg, ru.chatId).length === 1 && botMessages(tg, en.chatId).length === 1, "both replies", 30_000, bot.output);
    expect(botMessages(tg, ru.chatId)[0]!.text).toContain(RU("start.greeting", { date: "", disclaimer: "" }).split("\n")[0]!);
    expect(botMessages(tg, en.chatId)[0]!.text).toContain(EN("start.greeting", { date: "", disclaimer: "" }).split("\n")[0]!);
    expect(ru.buttons().length).toBeGreaterThan(5);
    await ru.press(RU("buttons.topics"));
    await waitFor(() => botMessages(tg, ru.chatId)[0]!.edits === 1, "the topic list", 30_000, bot.output);
    // The profile is registered in the background, beside the first updates.
    await waitFor(() => tg.commands.size === 5, "the commands", 20_000, bot.output);
    expect(tg.descriptions.get("ru")?.description).toBe(RU("profile.description"));

    const { code, ms } = await bot.stop("SIGTERM");
    const own = ownStopMs(bot.output());
    expect(code, own.lines).toBe(0);
    // Stopped cleanly by its own clock, inside the 4.5 s it allows itself; seen from outside, where
    // a loaded machine adds to scheduling an exit, before a container's stop grace (10 s) ends.
    expect(own.ms, own.lines).toBeLessThan(4_500);
    expect(ms, own.lines).toBeLessThan(9_000);
    expect(tg.rejected).toEqual([]);
    expect(existsSync(databasePath)).toBe(true);
    const disk = allBytes(join(dir, "data"));
    for (const secret of ["8123456789", "8987654321", "Светозар", "Quillon", "svetozar_unique_77", "quillon_unique_88"]) {
      for (const form of forms(secret)) {
        expect(disk.includes(Buffer.from(form)), secret).toBe(false);
        expect(bot.output().includes(form), secret).toBe(false);
      }
    }
  });

  it("`npm start` itself passes SIGTERM on, and the bot exits 0 within its own 4.5 s, leaving no process behind", async (context) => {
    const { setup, start } = processScope(context, TOKEN);
    const { tg, apiRoot, databasePath, server } = await setup();
    const bot = start({ TELEGRAM_API_ROOT: apiRoot, DATABASE_PATH: databasePath }, true);
    // npm, then npm again for the build, then the bot: three processes' start-up on a loaded machine.
    await botStarted(bot, 90_000);
    const user = server.user(8_555_000_111, { language_code: "en" });
    await user.send("/start");
    await waitFor(() => botMessages(tg, user.chatId).length === 1, "the reply", 30_000, bot.output);
    const { code, ms } = await bot.stop("SIGTERM");
    const own = ownStopMs(bot.output());
    expect(code, own.lines).toBe(0);
    expect(own.ms, own.lines).toBeLessThan(4_500);
    expect(ms, own.lines).toBeLessThan(9_000);
  });

  it("loses and repeats no update across a restart", async (context) => {
    const { setup, start } = processScope(context, TOKEN);
    const { tg, apiRoot, databasePath, server } = await setup();
    const env = { TELEGRAM_API_ROOT: apiRoot, DATABASE_PATH: databasePath };
    const users = Array.from({ length: 10 }, (_, i) => server.user(7_000_000 + i));
    const started = (p: BotProcess) => botStarted(p);
    let bot = start(env);
    await started(bot);
    for (const u of users) await u.send("/help");
    // Stop while updates are arriving; more arrive while the bot is down.
    const stopped = bot.stop("SIGTERM");
    for (const u of users) await u.send("/help");
    expect((await stopped).code).toBe(0);
    for (const u of users) await u.send("/help");
    bot = start(env);
    await started(bot);
    await waitFor(() => users.every((u) => botMessages(tg, u.chatId).length >= 3), "every message answered", 30_000, bot.output);
    await waitFor(() => tg.pendingUpdates().length === 0, "the queue to drain", 30_000, bot.output);
    expect((await bot.stop("SIGTERM")).code).toBe(0);
    for (const u of users) expect(botMessages(tg, u.chatId)).toHaveLength(3);
    expect(tg.rejected).toEqual([]);
  });

  it("/forget from outside: asks, then deletes the chat's recent messages", async (context) => {
    const { setup, start } = processScope(context, TOKEN);
    const { tg, apiRoot, databasePath, server } = await setup();
    const bot = start({ TELEGRAM_API_ROOT: apiRoot, DATABASE_PATH: databasePath });
    await botStarted(bot);
    const user = server.user(6_100_200_300, { language_code: "en" });
    await user.send("/start");
    await user.send("/topics");
    await user.send("/forget");
    await waitFor(() => botMessages(tg, user.chatId).length === 3, "the confirmation question", 30_000, bot.output);
    expect(user.lastBotMessage()!.text).toBe(EN("privacy.forgetAsk"));
    await user.press(EN("buttons.forgetConfirm"));
    await waitFor(() => tg.visible(user.chatId).length === 1, "the chat to be cleared", 30_000, bot.output);
    expect(tg.visible(user.chatId)[0]!.text).toBe(EN("privacy.forgetDone"));
    expect((await bot.stop()).code).toBe(0);
    expect(tg.rejected).toEqual([]);
  });

  it("after 600 odd updates from 50 users the process still runs, answers /start, and had no call rejected", async (context) => {
    const { setup, start } = processScope(context, TOKEN);
    const { tg, apiRoot, databasePath, server } = await setup();
    const bot = start({ TELEGRAM_API_ROOT: apiRoot, DATABASE_PATH: databasePath });
    await botStarted(bot);
    const users = Array.from({ length: 50 }, (_, i) => server.user(5_000_000 + i, { language_code: i % 2 === 0 ? "ru" : "en" }));
    const odd = [
      (u: (typeof users)[0]) => u.send("я".repeat(10_000)),
      (u: (typeof users)[0]) => u.send("\u202e\u200b🙂 <b>&</b>"),
      (u: (typeof users)[0]) => u.pressData("t:does-not-exist"),
      (u: (typeof users)[0]) => u.pressData("💣"),
      (u: (typeof users)[0]) => u.send("/start ../../../etc/passwd"),
      (u: (typeof users)[0]) => u.message({ sticker: { file_id: "s", file_unique_id: "s", type: "regular", width: 1, height: 1, is_animated: false, is_video: false } }),
      (u: (typeof users)[0]) => u.message({ location: { latitude: 0, longitude: 0 } }),
      (u: (typeof users)[0]) => u.edit(1, "edited"),
      (u: (typeof users)[0]) => u.inline("zalog"),
      (u: (typeof users)[0]) => u.pressInlineMessageButton("x"),
      (u: (typeof users)[0]) => u.setBlocked(true).then(() => u.setBlocked(false)),
      (u: (typeof users)[0]) => u.send("/route"),
    ];
    let sent = 0;
    for (let i = 0; i < 12; i++) {
      for (const u of users) {
        void odd[(i + u.chatId) % odd.length]!(u);
        sent++;
      }
    }
    expect(sent).toBe(600);
    await waitFor(() => tg.pendingUpdates().length === 0, "all 600 updates fetched", 60_000, bot.output);
    const probe = server.user(4_242_424_242, { language_code: "en" });
    await probe.send("/start");
    await waitFor(() => botMessages(tg, probe.chatId).length === 1, "an answer to /start", 30_000, bot.output);
    expect(bot.child.exitCode).toBeNull();
    expect(tg.rejected).toEqual([]);
    expect(bot.output()).not.toMatch(/"level":50/);
    expect((await bot.stop()).code).toBe(0);
  }, 120_000);
});

describe.concurrent("npm start, polling with PORT set", () => {
  it("serves /healthz and /metrics beside long polling", async (context) => {
    const { setup, start } = processScope(context, TOKEN);
    const { tg, apiRoot, databasePath, server } = await setup();
    const bot = start({ TELEGRAM_API_ROOT: apiRoot, DATABASE_PATH: databasePath, PORT: "0", HOST: "127.0.0.1" });
    await botStarted(bot);
    const base = await httpAddress(bot);
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ ok: true, database: "ok" });
    const user = server.user(9_000_000_001);
    await user.send("/start");
    await waitFor(() => botMessages(tg, user.chatId).length === 1, "the reply", 30_000, bot.output);
    expect(await (await fetch(`${base}/metrics`)).text()).toContain('bot_updates_total{type="message"} 1');
    expect((await fetch(`${base}/telegram`)).status).toBe(404);
    expect((await bot.stop()).code).toBe(0);
  });
});

describe.concurrent("npm start, webhook mode", () => {
  it("registers its webhook with the secret, refuses updates without it, answers those with it, serves /healthz and /metrics, and stops with 0", async (context) => {
    const { setup, start } = processScope(context, TOKEN);
    const { tg, apiRoot, databasePath, server } = await setup();
    const bot = start({
      TELEGRAM_API_ROOT: apiRoot,
      DATABASE_PATH: databasePath,
      WEBHOOK_URL: "https://bot.example.org/telegram/hook",
      WEBHOOK_SECRET: "s3cret_TOKEN-value",
      PORT: "0",
      HOST: "127.0.0.1",
    });
    await waitFor(() => tg.webhook !== undefined, "setWebhook", 30_000, bot.output);
    expect(tg.webhook).toMatchObject({ url: "https://bot.example.org/telegram/hook", secret_token: "s3cret_TOKEN-value", allowed_updates: expect.arrayContaining(["message", "callback_query", "inline_query"]) });
    const base = await httpAddress(bot);
    server.deliverWebhooksTo(base);

    const update = JSON.stringify({ update_id: 1, message: { message_id: 1, date: 1, chat: { id: 1, type: "private", first_name: "x" }, from: { id: 1, is_bot: false, first_name: "x" }, text: "/start" } });
    expect((await fetch(`${base}/telegram/hook`, { method: "POST", body: update, headers: { "content-type": "application/json" } })).status).toBe(401);
    expect((await fetch(`${base}/telegram/hook`, { method: "POST", body: update, headers: { "x-telegram-bot-api-secret-token": "wrong" } })).status).toBe(401);

    const user = server.user(9_111_222_333, { language_code: "ru" });
    await user.send("/start");
    expect(tg.webhookResults.at(-1)!.status).toBe(200);
    expect(user.lastBotMessage()!.text).toContain(RU("start.greeting", { date: "", disclaimer: "" }).split("\n")[0]!);

    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, database: "ok" });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('bot_updates_total{type="message"} 1');
    expect(metrics).toContain("bot_update_duration_seconds_bucket");
    expect(metrics).toContain("bot_telegram_api_errors_total");
    expect(metrics).not.toContain("9111222333");

    const { code, ms } = await bot.stop("SIGTERM");
    const own = ownStopMs(bot.output());
    expect(code, own.lines).toBe(0);
    // Stopped cleanly by its own clock, inside the 4.5 s it allows itself; seen from outside, where
    // a loaded machine adds to scheduling an exit, before a container's stop grace (10 s) ends.
    expect(own.ms, own.lines).toBeLessThan(4_500);
    expect(ms, own.lines).toBeLessThan(9_000);
    expect(tg.rejected).toEqual([]);
  });
});
