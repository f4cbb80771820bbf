import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../src/logger.js";
import { Metrics } from "../src/observability/metrics.js";
import { type ClientPolicy, resilientFetch } from "../src/telegram/client.js";
import { LogCapture } from "./support/harness.js";
import { listen } from "./support/process.js";

/**
 * The Bot API client (telegram/client.ts) on its real transport, node:http, against a scripted
 * server on loopback: deadlines, retries and what is never retried, and that the caller's signal
 * and shutdown end every wait.
 */

type Reply = { status: number; body: unknown } | "hang" | "close";
let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => (server === undefined ? r(null) : server.close(r)));
  server = undefined;
});

/** A Bot API that answers each request with the next scripted reply (then 200 ok), and records the methods asked. */
async function scripted(replies: Reply[]) {
  const seen: string[] = [];
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on("end", () => {
      seen.push(req.url!.split("/").pop()!);
      const reply = replies.shift() ?? { status: 200, body: { ok: true, result: true } };
      if (reply === "hang") return;
      if (reply === "close") return void req.socket.destroy();
      res.writeHead(reply.status, { "content-type": "application/json" }).end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  const address = server.address() as { port: number };
  return { seen, root: `http://127.0.0.1:${address.port}/bot1:x` };
}

const FAST: Partial<ClientPolicy> = { callTimeoutMs: 300, backoffMs: 20, maxBackoffMs: 40, retries: 3 };

function client(policy: Partial<ClientPolicy> = FAST, stopping?: AbortSignal) {
  const logs = new LogCapture();
  const metrics = new Metrics();
  const call = resilientFetch({ metrics, logger: createLogger({ level: "debug", destination: logs }), policy, ...(stopping === undefined ? {} : { stopping }) });
  return {
    logs,
    metrics,
    async call(root: string, method: string, signal?: AbortSignal) {
      const response = await call(`${root}/${method}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ chat_id: 1, text: "x" }), ...(signal === undefined ? {} : { signal }) });
      return { status: response.status, json: (await response.json()) as { ok: boolean; error_code?: number } };
    },
  };
}

const fail = (code: number, retryAfter?: number): Reply => ({ status: code, body: { ok: false, error_code: code, description: "x", ...(retryAfter === undefined ? {} : { parameters: { retry_after: retryAfter } }) } });

describe("Bot API client", () => {
  it("retries 429 after retry_after and 5xx after a back-off, and counts each failure by method and code", async () => {
    const api = await scripted([fail(429, 0), fail(502), fail(500)]);
    const c = client();
    expect((await c.call(api.root, "editMessageText")).json.ok).toBe(true);
    expect(api.seen).toEqual(["editMessageText", "editMessageText", "editMessageText", "editMessageText"]);
    const text = await c.metrics.registry.metrics();
    for (const code of ["429", "502", "500"]) expect(text).toContain(`bot_telegram_api_errors_total{method="editMessageText",code="${code}"} 1`);
  });

  it("gives up after its tries and hands the last answer back; 4xx other than 429 is not retried", async () => {
    const api = await scripted([fail(502), fail(502), fail(502), fail(502), fail(400)]);
    const c = client();
    expect((await c.call(api.root, "editMessageText")).json.error_code).toBe(502);
    expect(api.seen).toHaveLength(4);
    expect((await c.call(api.root, "editMessageText")).json.error_code).toBe(400);
    expect(api.seen).toHaveLength(5);
  });

  it("a call with no answer is given up at its deadline and tried again, unless it sends a message: a duplicate is worse than a late one", async () => {
    const api = await scripted(["hang", "hang"]);
    const c = client();
    const t0 = Date.now();
    expect((await c.call(api.root, "editMessageText")).json.ok).toBe(true);
    expect(api.seen).toEqual(["editMessageText", "editMessageText", "editMessageText"]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2 * 300);
    await scripted(["hang"]).then(async (again) => {
      await expect(c.call(again.root, "sendMessage")).rejects.toMatchObject({ name: "TimeoutError" });
      expect(again.seen).toEqual(["sendMessage"]);
    });
    expect(await c.metrics.registry.metrics()).toMatch(/bot_telegram_api_errors_total\{method="sendMessage",code="network"\} 1/);
  });

  it("a message whose request never left (connection refused) is tried again; a reset after it was sent is not", async () => {
    // An address where nothing listens any more: the connection is refused before anything is sent.
    const closed = createServer();
    const root = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const c = client({ ...FAST, retries: 2 });
    await expect(c.call(`${root}/bot1:x`, "sendMessage")).rejects.toMatchObject({ code: "ECONNREFUSED" });
    expect(await c.metrics.registry.metrics()).toMatch(/bot_telegram_api_errors_total\{method="sendMessage",code="network"\} 3/);
    const api = await scripted(["close"]);
    await expect(c.call(api.root, "sendMessage")).rejects.toThrow();
    expect(api.seen).toEqual(["sendMessage"]);
  });

  it("the caller's signal ends the call and every wait between tries at once", async () => {
    const api = await scripted([fail(429, 30), "hang"]);
    const c = client({ ...FAST, maxRetryAfterMs: 60_000 });
    const controller = new AbortController();
    const t0 = Date.now();
    setTimeout(() => controller.abort(), 100);
    // Waiting out a 30 s retry_after: the abort ends the wait and the caller gets the 429.
    expect((await c.call(api.root, "editMessageText", controller.signal)).json.error_code).toBe(429);
    expect(Date.now() - t0).toBeLessThan(2_000);
    const hung = new AbortController();
    setTimeout(() => hung.abort(), 100);
    await expect(c.call(api.root, "editMessageText", hung.signal)).rejects.toMatchObject({ name: "AbortError" });
    expect(Date.now() - t0).toBeLessThan(4_000);
    // Aborted by the caller is not the Bot API's failure.
    expect(await c.metrics.registry.metrics()).not.toContain('code="network"');
  });

  it("shutdown ends the waits between tries: the call fails at once instead of retrying", async () => {
    const stopping = new AbortController();
    const api = await scripted([fail(502), fail(502)]);
    const c = client({ ...FAST, backoffMs: 20_000, maxBackoffMs: 20_000 }, stopping.signal);
    const t0 = Date.now();
    setTimeout(() => stopping.abort(), 100);
    expect((await c.call(api.root, "editMessageText")).json.error_code).toBe(502);
    expect(api.seen).toHaveLength(1);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it("a 429 asking for longer than the policy allows is handed back at once", async () => {
    const api = await scripted([fail(429, 120)]);
    const c = client();
    expect((await c.call(api.root, "editMessageText")).json.error_code).toBe(429);
    expect(api.seen).toHaveLength(1);
  });

  it("while the Bot API cannot be reached it warns once, and says when it answers again", async () => {
    const api = await scripted(["close", "close"]);
    const c = client({ ...FAST, retries: 3 });
    expect((await c.call(api.root, "editMessageText")).json.ok).toBe(true);
    const entries = c.logs.entries();
    expect(entries.filter((e) => String(e.msg).includes("cannot be reached"))).toHaveLength(1);
    expect(entries.filter((e) => String(e.msg).includes("answers again"))).toHaveLength(1);
  });
});
