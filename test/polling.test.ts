import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { Update } from "grammy/types";
import { afterEach, describe, expect, it } from "vitest";
import { type App, assemble } from "../src/app.js";
import { createBot } from "../src/bot/index.js";
import { createLogger } from "../src/logger.js";
import { Dispatcher, MAX_ATTEMPTS } from "../src/run/dispatcher.js";
import { type Polling, startPolling } from "../src/run/polling.js";
import { LocalTelegram } from "../tools/local-telegram/emulator.js";
import { SimulatedUser } from "../tools/local-telegram/user.js";
import { allBytes, forms } from "./support/files.js";
import { LogCapture, TEST_TOKEN } from "./support/harness.js";
import { waitFor } from "./support/process.js";

/**
 * The poller (run/polling.ts) and the dispatcher behind it, in process, against the local Bot
 * API's getUpdates: offsets and the inbox, the back-off, an update that always fails, and
 * shutdown. Faults seen from outside the process are in faults.test.ts.
 */

let dirs: string[] = [];
let running: PollingBot[] = [];
afterEach(async () => {
  for (const r of running) await r.stop().catch(() => undefined);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
  running = [];
});

interface PollingBot {
  app: App;
  logs: LogCapture;
  polling: Polling;
  /** Stops as main.ts does: what waits gives up, then the poller stops and storage closes. */
  stop(): Promise<void>;
}

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), "asylum-polling-"));
  dirs.push(dir);
  return dir;
}

async function pollingBot(tg: LocalTelegram, dir: string): Promise<PollingBot> {
  const logs = new LogCapture();
  const app = await assemble({ databasePath: join(dir, "bot.sqlite"), logger: createLogger({ level: "debug", destination: logs }), rateLimitPerMinute: 10_000 });
  const stopping = new AbortController();
  const cut = new AbortController();
  const bot = createBot(app.deps, { token: TEST_TOKEN, botInfo: tg.botInfo, client: { fetch: tg.fetch }, shutdown: { stopping: stopping.signal, cut: cut.signal } });
  const dispatcher = new Dispatcher(bot, { storage: app.storage, logger: app.deps.logger, metrics: app.deps.metrics, stopping: stopping.signal });
  const polling = await startPolling(bot, { logger: app.deps.logger, storage: app.storage, dispatcher, sealer: app.sealer, pollTimeoutSeconds: 1, retryMs: { first: 20, max: 200 }, onFatal: () => undefined });
  let stopped = false;
  const handle: PollingBot = {
    app,
    logs,
    polling,
    async stop() {
      if (stopped) return;
      stopped = true;
      stopping.abort();
      await polling.stop();
      await app.close();
    },
  };
  running.push(handle);
  return handle;
}

const users = (tg: LocalTelegram, n: number, from: number) => Array.from({ length: n }, (_, i) => new SimulatedUser(tg, { id: from + i, first_name: "U", language_code: "en" }));
const replies = (u: SimulatedUser) => u.botMessages().length;
const getUpdatesOffsets = (tg: LocalTelegram) => tg.calls.filter((c) => c.method === "getUpdates").map((c) => Number(c.params.offset ?? 0));

/** Runs SQL on the bot's SQLite file from outside, as an operator (or a fault) would. */
function onDatabase(dir: string, statement: string): void {
  const db = new Database(join(dir, "bot.sqlite"));
  db.pragma("busy_timeout = 5000");
  db.exec(statement);
  db.close();
}

describe("the poller", () => {
  it("fetches every update once while slow replies are being handled, each poll confirming what the last one brought", async () => {
    const tg = new LocalTelegram();
    const dir = folder();
    const bot = await pollingBot(tg, dir);
    tg.delays.set("sendMessage", 200);
    const people = users(tg, 10, 3_100_000);
    for (const u of people) for (let i = 0; i < 3; i++) await u.send("/help");
    await waitFor(() => people.every((u) => replies(u) === 3), "every message answered");
    expect(tg.handedOut).toBe(30);
    // Offsets only move forward, and each is one past the last update handed out before it.
    const offsets = getUpdatesOffsets(tg);
    expect([...offsets].sort((a, b) => a - b)).toEqual(offsets);
    await waitFor(() => tg.pendingUpdates().length === 0, "the last batch to be confirmed");
    await bot.stop();
    expect(tg.rejected).toEqual([]);
  });

  it("keeps a batch in the inbox, sealed, until its updates are handled; what a crash left there is handled first at the next start, once", async () => {
    const tg = new LocalTelegram();
    const dir = folder();
    let bot = await pollingBot(tg, dir);
    const person = new SimulatedUser(tg, { id: 3_200_777_001, first_name: "Veniamin", username: "veniamin_inbox_77", language_code: "en" });
    tg.delays.set("sendMessage", 400);
    await person.send("/help");
    await person.send("typed words that must never be stored");
    await waitFor(() => tg.calls.some((c) => c.method === "sendMessage"), "handling to begin");
    const kept = await bot.app.storage.unhandledInbox();
    expect(kept.map((r) => r.update_id)).toHaveLength(2);
    for (const secret of ["3200777001", "Veniamin", "veniamin_inbox_77", "typed words that must never be stored"]) {
      for (const form of forms(secret)) expect(allBytes(dir).includes(Buffer.from(form)), secret).toBe(false);
    }
    await waitFor(() => replies(person) === 2, "both answers");
    tg.delays.clear();
    await bot.stop();

    // A crash: two updates confirmed to Telegram and kept in the inbox, never handled.
    const left: Update[] = [1, 2].map((n) => ({ update_id: tg.nextUpdateId(), message: { message_id: 900 + n, date: tg.seconds(), chat: { id: person.chatId, type: "private", first_name: "V" }, from: person.user, text: "/help", entities: [{ type: "bot_command", offset: 0, length: 5 }] } }) as Update);
    const app = await assemble({ databasePath: join(dir, "bot.sqlite"), logger: createLogger({ level: "silent", destination: new LogCapture() }) });
    await app.storage.receive(left.map((u) => ({ update_id: u.update_id, body: app.sealer.seal(JSON.stringify(u)) })), []);
    await app.close();
    await person.send("/start");
    bot = await pollingBot(tg, dir);
    await waitFor(() => replies(person) === 5, "the two left in the inbox and the new one");
    const texts = person.botMessages().map((m) => m.text!.split("\n")[0]);
    // The left-over ones came first (both /help), then the new /start.
    expect(texts[2]).toBe(texts[0]);
    expect(texts[3]).toBe(texts[0]);
    expect(texts[4]).not.toBe(texts[0]);
    // Each is committed as handled (just after its answer).
    await waitFor(async () => (await bot.app.storage.unhandledInbox()).length === 0, "every update committed as handled");
    await bot.stop();
    expect(tg.rejected).toEqual([]);
  });

  it("when the inbox cannot be written, confirms nothing: Telegram keeps the updates, and once it can, each is handled once", async () => {
    const tg = new LocalTelegram();
    const dir = folder();
    const bot = await pollingBot(tg, dir);
    onDatabase(dir, "CREATE TRIGGER no_inbox BEFORE INSERT ON inbox BEGIN SELECT RAISE(ABORT, 'disk full'); END;");
    const people = users(tg, 5, 3_300_000);
    for (const u of people) await u.send("/help");
    await waitFor(() => bot.logs.text.includes("the inbox cannot be written"), "the inbox to fail");
    expect(tg.pendingUpdates()).toHaveLength(5);
    expect(people.map(replies)).toEqual([0, 0, 0, 0, 0]);
    expect((await bot.app.healthy()).ok).toBe(false);
    onDatabase(dir, "DROP TRIGGER no_inbox;");
    await waitFor(() => people.every((u) => replies(u) === 1), "every message answered once the inbox works");
    await waitFor(() => tg.pendingUpdates().length === 0, "the updates to be confirmed");
    expect(bot.logs.text).toContain("the inbox can be written again");
    await bot.stop();
    expect(people.map(replies)).toEqual([1, 1, 1, 1, 1]);
  });

  it("backs off after failed polls: each wait at least as long as the last, from half a second", async () => {
    const tg = new LocalTelegram();
    const at: number[] = [];
    const call = tg.call.bind(tg);
    tg.call = (method, params, signal) => {
      if (method === "getUpdates") at.push(Date.now());
      return call(method, params, signal);
    };
    for (let i = 0; i < 3; i++) tg.failures.push({ method: "getUpdates", code: 502, description: "Bad Gateway" });
    const bot = await pollingBot(tg, folder());
    const person = new SimulatedUser(tg, { id: 3_400_001, first_name: "U", language_code: "en" });
    await person.send("/help");
    await waitFor(() => replies(person) === 1, "the answer after the failed polls");
    const gaps = at.slice(1, 4).map((t, i) => t - at[i]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(490);
    expect(gaps[1]).toBeGreaterThanOrEqual(990);
    expect(gaps[2]).toBeGreaterThanOrEqual(1990);
    await bot.stop();
  }, 20_000);

  it(`an update whose commit always fails is tried ${MAX_ATTEMPTS} times while others are handled, then set aside, logged and counted, keeping no id or text`, async () => {
    const tg = new LocalTelegram();
    const dir = folder();
    const bot = await pollingBot(tg, dir);
    const poisoned = new SimulatedUser(tg, { id: 3_500_777_001, first_name: "Poison", language_code: "en" });
    const poisonId = tg.nextUpdateId() + 1;
    onDatabase(dir, `CREATE TRIGGER poison BEFORE INSERT ON handled_updates WHEN NEW.update_id = ${poisonId} BEGIN SELECT RAISE(ABORT, 'poison'); END;`);
    const others = users(tg, 20, 3_500_000);
    await poisoned.send("poisoned words 4242");
    for (const u of others) for (let i = 0; i < 3; i++) await u.send("/help");
    await waitFor(() => others.every((u) => replies(u) === 3), "the others' answers");
    // Traffic goes on, so the database is seen to work while the poison keeps failing.
    const trickle = new SimulatedUser(tg, { id: 3_500_999, first_name: "T", language_code: "en" });
    const sent = () => replies(trickle);
    while (!bot.logs.text.includes("set aside")) {
      const n = replies(trickle);
      await trickle.send("/help");
      await waitFor(() => replies(trickle) > n, "the trickle's answer");
    }
    const setAside = await bot.app.storage.setAside();
    expect(setAside).toEqual([expect.objectContaining({ update_id: poisonId, attempts: MAX_ATTEMPTS, error: "SqliteError" })]);
    expect(setAside[0]!.shape).toContain('"text":"string(');
    for (const secret of ["3500777001", "Poison", "poisoned words 4242"]) expect(setAside[0]!.shape).not.toContain(secret);
    const line = bot.logs.entries().find((e) => String(e.msg).includes("set aside"));
    expect(line).toMatchObject({ update_id: poisonId, attempts: MAX_ATTEMPTS, error: { type: "SqliteError" } });
    expect(await bot.app.deps.metrics.registry.metrics()).toContain("bot_updates_set_aside_total 1");
    // Each try answered it (the commit is what failed), and it is not tried again.
    const tries = replies(poisoned);
    expect(tries).toBe(MAX_ATTEMPTS);
    const before = sent();
    await trickle.send("/help");
    await waitFor(() => sent() > before, "a later update");
    expect(replies(poisoned)).toBe(tries);
    for (const u of others) expect(replies(u)).toBe(3);
    await bot.stop();
  });

  it("at shutdown the update being handled finishes; those waiting their turn stay in the inbox and are handled after the restart", async () => {
    const tg = new LocalTelegram();
    const dir = folder();
    let bot = await pollingBot(tg, dir);
    const person = new SimulatedUser(tg, { id: 3_600_001, first_name: "U", language_code: "en" });
    tg.delays.set("sendMessage", 300);
    for (let i = 0; i < 3; i++) await person.send("/help");
    await waitFor(() => tg.calls.some((c) => c.method === "sendMessage"), "the first to be handled");
    await bot.stop();
    expect(replies(person)).toBe(1);
    expect(tg.pendingUpdates()).toEqual([]);
    expect(bot.logs.text).toContain("handled after the restart");
    tg.delays.clear();
    bot = await pollingBot(tg, dir);
    await waitFor(() => replies(person) === 3, "the two left waiting");
    await bot.stop();
    expect(replies(person)).toBe(3);
    expect(tg.rejected).toEqual([]);
  });
});
