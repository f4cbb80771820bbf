import { afterEach, describe, expect, it } from "vitest";
import type { Update } from "grammy/types";
import { HttpServer } from "../src/server/http.js";
import { en } from "./support/texts.js";
import { startTestBot, type TestBot } from "./support/harness.js";

let tb: TestBot;
let server: HttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  tb?.close();
});

const SECRET = "hook_SECRET-123";

async function serve(handle?: (u: Update) => Promise<void>) {
  tb = await startTestBot();
  let healthy = true;
  server = new HttpServer({
    host: "127.0.0.1",
    port: 0,
    logger: tb.app.deps.logger,
    metrics: tb.app.deps.metrics,
    healthy: () => healthy,
    webhook: { path: "/hook", secret: SECRET, handle: handle ?? (async (u) => void (await tb.tg.push(u))) },
  });
  const { port } = await server.listen();
  return { base: `http://127.0.0.1:${port}`, setHealthy: (v: boolean) => (healthy = v) };
}

const update = (id: number, userId = 11): Update =>
  ({ update_id: id, message: { message_id: id, date: 1, chat: { id: userId, type: "private", first_name: "x" }, from: { id: userId, is_bot: false, first_name: "x", language_code: "en" }, text: "/start", entities: [{ type: "bot_command", offset: 0, length: 6 }] } }) as Update;

describe("webhook endpoint", () => {
  it("answers 401 without the secret header and with a wrong one, and handles updates that carry it", async () => {
    const { base } = await serve();
    const post = (headers: Record<string, string>) => fetch(`${base}/hook`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(update(1)) });
    expect((await post({})).status).toBe(401);
    expect((await post({ "x-telegram-bot-api-secret-token": "nope" })).status).toBe(401);
    expect((await post({ "x-telegram-bot-api-secret-token": `${SECRET}x` })).status).toBe(401);
    expect(tb.tg.visible(11)).toHaveLength(0);
    expect((await post({ "x-telegram-bot-api-secret-token": SECRET })).status).toBe(200);
    expect(tb.tg.visible(11).filter((m) => m.fromBot)).toHaveLength(1);
  });

  it("refuses malformed bodies and other methods", async () => {
    const { base } = await serve();
    const h = { "x-telegram-bot-api-secret-token": SECRET };
    expect((await fetch(`${base}/hook`, { method: "POST", headers: h, body: "{not json" })).status).toBe(400);
    expect((await fetch(`${base}/hook`, { method: "POST", headers: h, body: "[1,2]" })).status).toBe(400);
    expect((await fetch(`${base}/hook`, { method: "POST", headers: h, body: "x".repeat(2 << 20) })).status).toBe(413);
    expect((await fetch(`${base}/hook`)).status).toBe(405);
    expect((await fetch(`${base}/elsewhere`)).status).toBe(404);
  });

  it("on close, stops accepting and finishes the updates in flight", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let handled = 0;
    const { base } = await serve(async () => {
      await gate;
      handled++;
    });
    const inFlight = fetch(`${base}/hook`, { method: "POST", headers: { "x-telegram-bot-api-secret-token": SECRET }, body: JSON.stringify(update(5)) });
    await new Promise((r) => setTimeout(r, 50));
    const closing = server!.close();
    release();
    await closing;
    expect((await inFlight).status).toBe(200);
    expect(handled).toBe(1);
    server = undefined;
  });
});

describe("/healthz and /metrics", () => {
  it("/healthz reports whether the database answers", async () => {
    const { base, setHealthy } = await serve();
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ ok: true, database: "reachable" });
    setHealthy(false);
    const down = await fetch(`${base}/healthz`);
    expect(down.status).toBe(503);
  });

  it("/metrics counts updates by type, handler latency, errors and Telegram API errors by code, with no user labels", async () => {
    const { base } = await serve();
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
      for (const label of labels) expect(["type", "method", "code", "le"]).toContain(label);
    }
  });
});
