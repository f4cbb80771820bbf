import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import type { LocalTelegram } from "../tools/local-telegram/emulator.js";
import { type BotProcess, botStarted, httpAddress, waitFor } from "./support/process.js";
import { processScope } from "./support/scope.js";

/**
 * Faults injected from outside a running bot (`node dist/src/main.js`): a slow, hung, failing or
 * absent Bot API, kill -9, a flood from one user, a full disk, a dead log reader. Each test is
 * one of the attacks of issue 10; the bot must lose nothing it acknowledged, answer others, and
 * say what is wrong in one line instead of crashing or spinning.
 *
 * The tests run at the same time (each has its own Bot API, bot and folder): most of their time
 * is spent waiting on back-offs and deadlines, not on the CPU.
 */

const TOKEN = "123456:fault-test-token";

const started = (bot: BotProcess) => botStarted(bot);
const botMessages = (tg: LocalTelegram, chatId: number) => tg.visible(chatId).filter((m) => m.fromBot);
const logLines = (bot: BotProcess) =>
  bot
    .output()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as { level: number; msg: string; [k: string]: unknown });

describe.concurrent("polling that loses nothing", () => {
  it("SIGKILL three times under load with a slow Bot API, then a restart: every update is answered exactly once", { timeout: 120_000 }, async (context) => {
    const { setup, start } = processScope(context, TOKEN);
    const { tg, server, apiRoot, databasePath } = await setup();
    const env = { TELEGRAM_API_ROOT: apiRoot, DATABASE_PATH: databasePath, RATE_LIMIT_PER_MINUTE: "1000" };
    const users = Array.from({ length: 50 }, (_, i) => server.user(4_100_000 + i));
    const sent = new Map<number, number>();
    tg.delays.set("sendMessage", 50);
    // Which updates are whose, and which the bot committed (its database, read beside it).
    const updatesOf = new Map<number, number[]>();
    const push = tg.push.bind(tg);
    tg.push = (update) => {
      const chat = update.message?.chat.id;
      if (chat !== undefined) updatesOf.set(chat, [...(updatesOf.get(chat) ?? []), update.update_id]);
      return push(update);
    };
    /** Chats with a reply whose update is not committed yet, as "chat: replies/committed". */
    const uncommitted = () => {
      const db = new Database(databasePath, { readonly: true, fileMustExist: true });
      try {
        const committed = new Set(db.prepare("select update_id from handled_updates").pluck().all() as number[]);
        return users
          .map((u) => ({ u, replies: botMessages(tg, u.chatId).length, done: (updatesOf.get(u.chatId) ?? []).filter((id) => committed.has(id)).length }))
          .filter(({ replies, done }) => replies > done)
          .map(({ u, replies, done }) => `${u.chatId}: ${replies}/${done}`);
      } finally {
        db.close();
      }
    };
    const sendCalls = () => tg.calls.filter((c) => c.method === "sendMessage").length;
    for (let round = 1; round <= 3; round++) {
      const bot = start(env);
      await started(bot);
      // Replies that took effect (a call is logged when it starts; a frozen one never takes effect).
      const answered = () => users.reduce((n, u) => n + botMessages(tg, u.chatId).length, 0);
      const before = answered();
      // Calls that never took effect so far: the killed bot's frozen ones.
      const lost = sendCalls() - before;
      for (const u of users.slice(0, 40)) {
        await u.send("/help");
        sent.set(u.chatId, (sent.get(u.chatId) ?? 0) + 1);
      }
      await waitFor(() => answered() >= before + 10, "some answers this round", 30_000, bot.output);
      // Freeze the Bot API where a reply takes effect, so the kill finds updates fetched but not
      // answered: once a reply hangs (or, on a fast machine, every update of the round was
      // answered), and every reply that did go out is committed. (A kill between a reply and its
      // commit would have Telegram send that update again, and it would be answered twice: the
      // price of never losing one, and not what this test is about.)
      tg.hangs.add("sendMessage");
      // A reply started and not taken effect is frozen (or about to be, after its 50 ms).
      const hanging = () => sendCalls() - answered() > lost;
      await waitFor(() => (hanging() || answered() >= before + 40) && uncommitted().length === 0, "a reply to hang, and the others committed", 30_000, () => `${bot.output()}\nreplies/committed: ${uncommitted().join(", ")}`);
      await bot.stop("SIGKILL");
      // What the killed bot had sent (even bytes still on their way) is settled, frozen and then
      // dropped with its connection, before replies take effect again.
      await waitFor(() => server.idle, "the killed bot's connections to close and its requests to be dropped", 30_000);
      tg.hangs.delete("sendMessage");
      // Users keep writing while the bot is down.
      for (const u of users.slice(40)) {
        await u.send("/help");
        sent.set(u.chatId, (sent.get(u.chatId) ?? 0) + 1);
      }
    }
    const last = start(env);
    await started(last);
    const total = [...sent.values()].reduce((a, b) => a + b, 0);
    await waitFor(() => users.reduce((n, u) => n + botMessages(tg, u.chatId).length, 0) >= total, "every message answered", 30_000, last.output);
    await waitFor(() => tg.pendingUpdates().length === 0, "Telegram's queue to drain", 30_000, last.output);
    expect((await last.stop()).code).toBe(0);
    for (const u of users) expect(botMessages(tg, u.chatId)).toHaveLength(sent.get(u.chatId) ?? 0);
    expect(total).toBe(3 * 50);
    expect(tg.rejected).toEqual([]);
  });

  it("a hung getUpdates is given up at the client's deadline, and the bot hears again", { timeout: 120_000 }, async (context) => {
    const { setup, start } = processScope(context, TOKEN);
    const { tg, server, apiRoot, databasePath } = await setup();
    const bot = start({ TELEGRAM_API_ROOT: apiRoot, DATABASE_PATH: databasePath, POLL_TIMEOUT_SECONDS: "1" });
    await started(bot);
    const hungAt = tg.calls.length;
    tg.hangs.add("getUpdates");
    // The poll under way ends within its 1 s; the next one hangs.
    await waitFor(() => tg.calls.slice(hungAt).some((c) => c.method === "getUpdates"), "a poll to hang", 30_000, bot.output);
    const user = server.user(4_200_001);
    await user.send("/start");
    tg.hangs.delete("getUpdates");
    // Deadline: the poll's 1 s plus at least 2 s; grammY's own default would be 500 s.
    await waitFor(() => botMessages(tg, user.chatId).length === 1, "the answer after the hung poll", 20_000, bot.output);
    const warning = logLines(bot).find((l) => l.level === 40 && l.msg.includes("cannot be reached"));
    expect(warning).toMatchObject({ method: "getUpdates", reason: "timed out" });
    expect(logLines(bot).some((l) => l.msg.includes("answers again"))).toBe(true);
  });

  it("an outage of the Bot API is logged, counted, retried with a capped back-off, and its end is logged", { timeout: 120_000 }, async (context) => {
    const { setup, start } = processScope(context, TOKEN);
    const api = await setup();
    const bot = start({ TELEGRAM_API_ROOT: api.apiRoot, DATABASE_PATH: api.databasePath, POLL_TIMEOUT_SECONDS: "1", PORT: "0", HOST: "127.0.0.1" });
    await started(bot);
    const metrics = `${await httpAddress(bot)}/metrics`;
    // The profile is registered in the background at start; the outage is meant for the polling.
    await waitFor(() => bot.output().includes("commands and descriptions registered"), "the profile", 30_000, bot.output);
    // Every connection to the Bot API is reset, as when it cannot be reached; its address stays ours.
    api.server.setDown(true);
    const warned = () => logLines(bot).find((l) => l.level === 40 && l.msg.includes("cannot be reached"));
    await waitFor(() => warned() !== undefined, "the warning that the Bot API cannot be reached", 30_000, bot.output);
    expect(warned()).toMatchObject({ method: "getUpdates" });
    expect(await (await fetch(metrics)).text()).toMatch(/bot_telegram_api_errors_total\{method="getUpdates",code="network"\} [1-9]/);
    // Telegram is back; the back-off is at most 5 s.
    api.server.setDown(false);
    const user = api.server.user(4_300_001);
    await user.send("/start");
    await waitFor(() => botMessages(api.tg, user.chatId).length === 1, "the answer after the outage", 30_000, bot.output);
    expect(logLines(bot).some((l) => l.level === 30 && l.msg.includes("answers again"))).toBe(true);
  });

  it("409 Conflict is explained once and retried; the bot keeps running and answers", { timeout: 120_000 }, async (context) => {
    const { setup, start } = processScope(context, TOKEN);
    const { tg, server, apiRoot, databasePath } = await setup();
    for (let i = 0; i < 3; i++) tg.failures.push({ method: "getUpdates", code: 409, description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running" });
    const bot = start({ TELEGRAM_API_ROOT: apiRoot, DATABASE_PATH: databasePath });
    await started(bot);
    const user = server.user(4_400_001);
    await user.send("/start");
    await waitFor(() => botMessages(tg, user.chatId).length === 1, "the answer after the conflicts", 30_000, bot.output);
    const conflicts = logLines(bot).filter((l) => l.level === 40 && l.code === 409);
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]!.msg).toContain("another instance is polling");
    expect(bot.child.exitCode).toBeNull();
    expect(bot.output()).not.toContain("Unhandled");
  });

  it("401 while polling ends the process with exit code 1 and one clear line, no stack trace", { timeout: 120_000 }, async (context) => {
    const { setup, start } = processScope(context, TOKEN);
    const { tg, apiRoot, databasePath } = await setup();
    const bot = start({ TELEGRAM_API_ROOT: apiRoot, DATABASE_PATH: databasePath, POLL_TIMEOUT_SECONDS: "1" });
    await started(bot);
    tg.failures.push({ method: "getUpdates", code: 401, description: "Unauthorized" });
    expect(await bot.exitCode()).toBe(1);
    const plain = bot
      .output()
      .split("\n")
      .filter((l) => l !== "" && !l.startsWith("{"));
    expect(plain).toEqual(["Configuration error: BOT_TOKEN was rejected by Telegram (401 Unauthorized) while polling; check it with @BotFather"]);
    expect(bot.output()).not.toMatch(/\n\s+at /);
  });

  it("malformed getUpdates results are refused with a warning and a back-off instead of a spin", { timeout: 120_000 }, async (context) => {
    const { setup, start } = processScope(context, TOKEN);
    const { tg, server, apiRoot, databasePath } = await setup();
    const bot = start({ TELEGRAM_API_ROOT: apiRoot, DATABASE_PATH: databasePath, POLL_TIMEOUT_SECONDS: "1" });
    await started(bot);
    const before = tg.calls.filter((c) => c.method === "getUpdates").length;
    tg.getUpdatesAnswers.push("not a list", [null], [{ message: { text: "no update_id" } }], 42);
    const warnings = () => logLines(bot).filter((l) => l.level === 40 && l.msg.includes("not a list of updates")).length;
    await waitFor(() => warnings() === 4, "a warning for each bad answer", 30_000, bot.output);
    const polls = tg.calls.filter((c) => c.method === "getUpdates").length - before;
    // The runner spun at 2,000-5,000 requests a second; here each bad answer costs one poll and a back-off.
    expect(polls).toBeLessThanOrEqual(6);
    const user = server.user(4_500_001);
    await user.send("/start");
    await waitFor(() => botMessages(tg, user.chatId).length === 1, "the answer after the bad results", 30_000, bot.output);
  });
});

describe.concurrent("one user cannot stall the others", () => {
  it("600 presses from one user: another user's /start is answered, every press is answered once, and a dropped one costs one call", { timeout: 120_000 }, async (context) => {
    const { setup, start } = processScope(context, TOKEN);
    const { tg, server, apiRoot, databasePath } = await setup();
    const bot = start({ TELEGRAM_API_ROOT: apiRoot, DATABASE_PATH: databasePath });
    await started(bot);
    const flooder = server.user(4_600_001);
    const other = server.user(4_600_002);
    await flooder.send("/start");
    await waitFor(() => botMessages(tg, flooder.chatId).length === 1, "the flooder's menu", 30_000, bot.output);
    tg.delays.set("*", 40);
    const queries: string[] = [];
    const push = tg.push.bind(tg);
    tg.push = (update) => {
      if (update.callback_query !== undefined) queries.push(update.callback_query.id);
      return push(update);
    };
    await flooder.tapRepeatedly("tl", flooder.lastBotMessage(), 600);
    tg.push = push;
    expect(queries).toHaveLength(600);
    const t0 = Date.now();
    await other.send("/start");
    await waitFor(() => botMessages(tg, other.chatId).length === 1, "the other user's answer", 30_000, bot.output);
    const waited = Date.now() - t0;
    await waitFor(() => tg.pendingUpdates().length === 0, "the flood to be dealt with", 30_000, bot.output);
    await waitFor(() => queries.every((q) => tg.isAnswered(q)), "every press to be answered", 30_000, bot.output);
    const flooderCalls = tg.calls.filter((c) => String(c.params.callback_query_id ?? c.params.chat_id ?? "").startsWith(String(flooder.chatId)));
    const answers = flooderCalls.filter((c) => c.method === "answerCallbackQuery");
    // Handled presses (at most the 40 a minute the rate allows) edit and answer; every other is answered and nothing else.
    const handled = flooderCalls.filter((c) => c.method === "editMessageText").length;
    expect(handled).toBeLessThanOrEqual(40);
    expect(answers).toHaveLength(600);
    expect(flooderCalls.length).toBeLessThanOrEqual(600 + handled + 1);
    // No press was answered twice (Telegram refuses that), and no call was refused.
    expect(tg.rejected).toEqual([]);
    console.info(`flood: the other user's /start was answered after ${waited} ms with a 40 ms Bot API; the flooder's 600 presses cost ${flooderCalls.length} calls`);
  });
});

describe.concurrent("start-up refusals and shutdown", () => {
  it("a deleted anon-secret beside a database that holds sessions: start-up refuses with one clear line", { timeout: 120_000 }, async (context) => {
    const { setup, start } = processScope(context, TOKEN);
    const { tg, server, apiRoot, dir, databasePath } = await setup();
    const env = { TELEGRAM_API_ROOT: apiRoot, DATABASE_PATH: databasePath };
    const first = start(env);
    await started(first);
    const user = server.user(4_700_001);
    await user.send("/start");
    await waitFor(() => botMessages(tg, user.chatId).length === 1, "the answer", 30_000, first.output);
    expect((await first.stop()).code).toBe(0);
    unlinkSync(join(dir, "data", "anon-secret"));
    const second = start(env);
    expect(await second.exitCode()).toBe(1);
    const lines = second
      .output()
      .split("\n")
      .filter((l) => l !== "" && !l.startsWith("{"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/anon-secret/);
    expect(lines[0]).toMatch(/ANON_SECRET/);
  });

  it("with the log reader gone (EPIPE), SIGTERM still ends the process with 0 before a container's stop grace (10 s) ends", { timeout: 120_000 }, async (context) => {
    const { setup, start } = processScope(context, TOKEN);
    const { apiRoot, databasePath } = await setup();
    const bot = start({ TELEGRAM_API_ROOT: apiRoot, DATABASE_PATH: databasePath });
    await started(bot);
    bot.child.stdout!.destroy();
    bot.child.stderr!.destroy();
    const { code, ms } = await bot.stop("SIGTERM");
    expect(code).toBe(0);
    // Its log is gone, so only the outside view: its own deadline is 4.5 s (main.ts); the rest is a loaded machine scheduling the exit.
    expect(ms).toBeLessThan(9_000);
  });
});

const canMount = process.platform === "linux" && process.getuid?.() === 0 && spawnSync("mount", ["--version"], { timeout: 30_000 }).status === 0;

describe.skipIf(!canMount).concurrent(`a full disk${canMount ? "" : " (skipped: needs root to mount a small tmpfs)"}`, () => {
  it("writes fail without a crash, /healthz says 503 while they do, and the bot recovers when space returns", { timeout: 120_000 }, async (context) => {
    const { setup, start, cleanups } = processScope(context, TOKEN);
    const mount = mkdtempSync(join(tmpdir(), "asylum-full-"));
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", mount], { timeout: 30_000 });
    cleanups.push(() => {
      spawnSync("umount", ["-l", mount], { timeout: 30_000 });
      rmSync(mount, { recursive: true, force: true });
    });
    const { tg, server, apiRoot } = await setup();
    mkdirSync(join(mount, "data"));
    const bot = start({ TELEGRAM_API_ROOT: apiRoot, DATABASE_PATH: join(mount, "data", "bot.sqlite"), PORT: "0", HOST: "127.0.0.1", POLL_TIMEOUT_SECONDS: "1" });
    await started(bot);
    const base = await httpAddress(bot);
    const health = async () => {
      const r = await fetch(`${base}/healthz`);
      return { status: r.status, body: (await r.json()) as { ok: boolean; database: string } };
    };
    const first = server.user(4_800_001);
    await first.send("/start");
    await waitFor(() => botMessages(tg, first.chatId).length === 1, "the first answer", 30_000, bot.output);
    expect((await health()).status).toBe(200);

    // Fill the disk to the last byte.
    const filler = join(mount, "filler");
    const chunk = Buffer.alloc(64 * 1024, 1);
    let written = 0;
    try {
      for (;;) {
        writeFileSync(filler, chunk, { flag: "a" });
        written += chunk.length;
      }
    } catch {
      // ENOSPC: full.
    }
    expect(written).toBeGreaterThan(0);
    const users = Array.from({ length: 5 }, (_, i) => server.user(4_800_100 + i));
    for (const u of users) await u.send("/start");
    await waitFor(async () => (await health()).status === 503, "/healthz to report the failing writes", 30_000, bot.output);
    expect((await health()).body.ok).toBe(false);
    expect(bot.child.exitCode).toBeNull();
    // Not acknowledged: Telegram still holds them.
    expect(tg.pendingUpdates().length).toBeGreaterThan(0);

    rmSync(filler);
    // Confirmed to Telegram once the inbox takes them, then handled.
    await waitFor(() => tg.pendingUpdates().length === 0, "the held updates to be taken once there is space", 30_000, bot.output);
    await waitFor(() => users.every((u) => botMessages(tg, u.chatId).length >= 1), "every held update to be answered", 30_000, bot.output);
    await waitFor(async () => (await health()).status === 200, "/healthz to recover", 30_000, bot.output);
    expect(bot.child.exitCode).toBeNull();
    expect((await bot.stop()).code).toBe(0);
  });
});
