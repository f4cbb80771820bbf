import type { Update } from "grammy/types";
import { afterEach, describe, expect, it } from "vitest";
import { Dispatcher } from "../src/run/dispatcher.js";
import { HttpServer } from "../src/server/http.js";
import { startTestBot, type TestBot } from "./support/harness.js";
import { waitFor } from "./support/process.js";
import { en } from "./support/texts.js";

let tb: TestBot;
let server: HttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  await tb?.close();
});

const SECRET = "hook_SECRET-123";

/** The real bot behind the production HTTP front, through the dispatcher main.ts uses. */
async function serve(options: { budgetMs?: number; maxInFlight?: number } = {}) {
  tb = await startTestBot();
  const dispatcher = new Dispatcher(tb.bot, { storage: tb.app.storage, logger: tb.app.deps.logger, metrics: tb.app.deps.metrics });
  server = new HttpServer({
    host: "127.0.0.1",
    port: 0,
    logger: tb.app.deps.logger,
    metrics: tb.app.deps.metrics,
    health: () => tb.app.healthy(),
    webhook: { path: "/hook", secret: SECRET, dispatch: (u) => dispatcher.dispatch(u), inFlight: () => dispatcher.inFlight, budgetMs: options.budgetMs ?? 8_000 },
    ...(options.maxInFlight === undefined ? {} : { maxInFlight: options.maxInFlight }),
  });
  const { port } = await server.listen();
  return `http://127.0.0.1:${port}`;
}

const update = (id: number, userId = 11, text = "/start"): Update =>
  ({ update_id: id, message: { message_id: id, date: 1, chat: { id: userId, type: "private", first_name: "x" }, from: { id: userId, is_bot: false, first_name: "x", language_code: "en" }, text, ...(text.startsWith("/") ? { entities: [{ type: "bot_command", offset: 0, length: text.length }] } : {}) } }) as Update;

/** Tries until the condition holds: Telegram resends a refused update, so the test does too. */
async function waitUntil(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

const post = (base: string, body: unknown, secret = SECRET) =>
  fetch(`${base}/hook`, { method: "POST", headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret }, body: typeof body === "string" ? body : JSON.stringify(body) });

describe("webhook endpoint", () => {
  it("answers 401 without the secret header and with a wrong one, and handles updates that carry it", async () => {
    const base = await serve();
    const bare = await fetch(`${base}/hook`, { method: "POST", body: JSON.stringify(update(1)) });
    expect(bare.status).toBe(401);
    expect((await post(base, update(1), "nope")).status).toBe(401);
    expect((await post(base, update(1), `${SECRET}x`)).status).toBe(401);
    expect(tb.tg.visible(11)).toHaveLength(0);
    expect((await post(base, update(1))).status).toBe(200);
    expect(tb.tg.visible(11).filter((m) => m.fromBot)).toHaveLength(1);
  });

  it("refuses malformed bodies, oversized ones and other methods without handing them to the bot", async () => {
    const base = await serve();
    expect((await post(base, "{not json")).status).toBe(400);
    expect((await post(base, "[1,2]")).status).toBe(400);
    expect((await post(base, { update_id: "x" })).status).toBe(400);
    expect((await post(base, "x".repeat(2 << 20))).status).toBe(413);
    expect((await fetch(`${base}/hook`)).status).toBe(405);
    expect((await fetch(`${base}/elsewhere`)).status).toBe(404);
    expect(tb.tg.calls.filter((c) => c.method === "sendMessage")).toEqual([]);
  });

  it("the same update delivered three times, one after another or at once, is answered once", async () => {
    const base = await serve();
    for (let i = 0; i < 3; i++) expect((await post(base, update(700, 21))).status).toBe(200);
    tb.tg.delays.set("sendMessage", 150);
    const together = await Promise.all([0, 1, 2].map(() => post(base, update(701, 22))));
    expect(together.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(tb.tg.visible(21).filter((m) => m.fromBot)).toHaveLength(1);
    expect(tb.tg.visible(22).filter((m) => m.fromBot)).toHaveLength(1);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('bot_updates_dropped_total{reason="duplicate"} 4');
  });

  it("an update slower than the time budget gets 503, is finished anyway, and its redelivery is not handled again", async () => {
    const base = await serve({ budgetMs: 200 });
    tb.tg.delays.set("sendMessage", 600);
    const first = await post(base, update(800, 31));
    expect(first.status).toBe(503);
    // Finished anyway, its handled mark committed: the bot's last word on an update.
    await waitFor(() => tb.logs.entries().some((e) => e.update_id === 800 && e.msg === "update handled"), "the slow update to finish");
    const again = await post(base, update(800, 31));
    expect(again.status).toBe(200);
    expect(tb.tg.visible(31).filter((m) => m.fromBot)).toHaveLength(1);
  });

  it("refuses requests beyond the in-flight cap with 503 instead of queuing them", async () => {
    const base = await serve({ maxInFlight: 3 });
    tb.tg.delays.set("sendMessage", 300);
    const statuses = (await Promise.all(Array.from({ length: 10 }, (_, i) => post(base, update(900 + i, 40 + i))))).map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    expect(statuses.filter((s) => s === 503)).toHaveLength(7);
  });

  it("an update past the budget still counts against the in-flight cap until its work ends", async () => {
    const base = await serve({ budgetMs: 100, maxInFlight: 1 });
    tb.tg.delays.set("sendMessage", 800);
    expect((await post(base, update(950, 61))).status).toBe(503);
    // Answered already, but still being handled: the cap is full.
    expect((await post(base, update(951, 62))).status).toBe(503);
    expect(tb.tg.visible(62)).toHaveLength(0);
    tb.tg.delays.clear();
    await waitUntil(async () => (await post(base, update(951, 62))).status === 200);
    expect(tb.tg.visible(61).filter((m) => m.fromBot)).toHaveLength(1);
    expect(tb.tg.visible(62).filter((m) => m.fromBot)).toHaveLength(1);
  });

  it("on close, stops accepting and finishes the updates in flight", async () => {
    const base = await serve();
    tb.tg.delays.set("sendMessage", 300);
    const inFlight = post(base, update(5, 51));
    await waitFor(() => tb.tg.calls.some((c) => c.method === "sendMessage" && c.params.chat_id === 51), "the update to be in flight");
    const closing = server!.close();
    await closing;
    expect((await inFlight).status).toBe(200);
    expect(tb.tg.visible(51).filter((m) => m.fromBot)).toHaveLength(1);
    server = undefined;
  });
});

describe("/healthz and /metrics", () => {
  it("/healthz reports the database's state", async () => {
    const base = await serve();
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ ok: true, database: "ok" });
    tb.app.storage.reportFailure("disk full");
    const down = await fetch(`${base}/healthz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ ok: false, database: "the last write failed: disk full" });
  });

  it("/metrics counts updates by type, handler latency, errors and Telegram API errors by code, with no user labels", async () => {
    const base = await serve();
    const user = tb.user({ id: 31337000111, language_code: "en" });
    await user.send("/start");
    await user.press(en("buttons.topics"));
    await user.inline("bond");
    tb.tg.failures.push({ method: "sendMessage", code: 400, description: "Bad Request: test" });
    await user.send("/help");
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toContain('bot_updates_total{type="message"} 2');
    expect(text).toContain('bot_updates_total{type="callback_query"} 1');
    expect(text).toContain('bot_updates_total{type="inline_query"} 1');
    expect(text).toMatch(/bot_update_duration_seconds_count 4/);
    expect(text).toContain("bot_errors_total 1");
    expect(text).toContain('bot_telegram_api_errors_total{method="sendMessage",code="400"} 1');
    expect(text).not.toContain("31337000111");
    for (const line of text.split("\n").filter((l) => l.includes("{"))) {
      const labels = [...line.matchAll(/(\w+)="/g)].map((m) => m[1]);
      for (const label of labels) expect(["type", "method", "code", "le", "reason"]).toContain(label);
    }
  });
});
