/**
 * npm run bench:client: the bot's Bot API client (telegram/client.ts: node:http, deadlines,
 * retries, counting) against what grammY offers for the same behaviour: its default client
 * (node-fetch with a keep-alive agent) with @grammyjs/auto-retry (abortable, 429 and 5xx) and a
 * small transformer for the rest (the update's deadline, network retries that never repeat a
 * message that may have been delivered, failures counted by method and code). Both run here, in
 * the same rounds, against a Bot API stand-in in another process (on the other core), with the
 * same calls: the bot's menu message (sendMessage with HTML and a keyboard) and small calls.
 *
 *   npm run bench:client [-- --calls 8000 --rounds 3]
 *
 * Reports calls/s with 64 in flight, this process's CPU time per call, and p50/p99 latency.
 */
import { fork, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { cpus } from "node:os";
import { autoRetry } from "@grammyjs/auto-retry";
import { Api, HttpError, type Transformer } from "grammy";
import { createLogger } from "../src/logger.js";
import { Metrics } from "../src/observability/metrics.js";
import { resilientFetch } from "../src/telegram/client.js";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const CALLS = arg("calls", 8000);
const ROUNDS = arg("rounds", 3);
const IN_FLIGHT = 64;
const TOKEN = "123456:client-bench";

/** The stand-in: answers every call at once with what Telegram would, a sent message for sendMessage. */
function serve(): void {
  const message = JSON.stringify({
    ok: true,
    result: { message_id: 1, date: 1, chat: { id: 1, type: "private", first_name: "B" }, from: { id: 7, is_bot: true, first_name: "Asylum Basics", username: "asylum_basics_bot" }, text: "x".repeat(900), reply_markup: { inline_keyboard: Array.from({ length: 8 }, (_, i) => [{ text: `Button ${i}`, callback_data: `t:topic-${i}` }]) } },
  });
  const ok = JSON.stringify({ ok: true, result: true });
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const body = req.url!.endsWith("/sendMessage") ? message : ok;
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => process.send!({ port: (server.address() as { port: number }).port }));
  process.on("disconnect", () => process.exit(0));
}

const isSending = (method: string) => method.startsWith("send") || method.startsWith("copy") || method.startsWith("forward");

/** What the bot's client does beyond auto-retry, as a transformer: the deadline, network retries, counting. */
function deadlineAndCounting(metrics: Metrics, deadline: () => AbortSignal): Transformer {
  return async (prev, method, payload, signal) => {
    const s = signal ?? (deadline() as never);
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await prev(method, payload, s);
        if (!result.ok) metrics.apiErrors.inc({ method, code: String(result.error_code) });
        return result;
      } catch (error) {
        if (s?.aborted === true || !(error instanceof HttpError)) throw error;
        metrics.apiErrors.inc({ method, code: "network" });
        if (isSending(method) || attempt > 3) throw error;
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.min(8_000, 500 * 2 ** (attempt - 1)));
          s?.addEventListener("abort", () => (clearTimeout(t), resolve()));
        });
      }
    }
  };
}

type Variant = "node:http client (ours)" | "grammY default + auto-retry + transformer";

function apiFor(variant: Variant, apiRoot: string): Api {
  const metrics = new Metrics();
  const logger = createLogger({ level: "silent", destination: { write: () => true } as never });
  // Each call gets a deadline signal, as every call made for an update does in the bot.
  const deadline = () => AbortSignal.timeout(6_000);
  if (variant === "node:http client (ours)") {
    const api = new Api(TOKEN, { apiRoot, fetch: resilientFetch({ metrics, logger }), timeoutSeconds: 600 });
    api.config.use((prev, method, payload, signal) => prev(method, payload, signal ?? (deadline() as never)));
    return api;
  }
  const api = new Api(TOKEN, { apiRoot, timeoutSeconds: 15 });
  api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 30, rethrowHttpErrors: true }));
  api.config.use(deadlineAndCounting(metrics, deadline));
  return api;
}

const KEYBOARD = { inline_keyboard: Array.from({ length: 8 }, (_, i) => [{ text: `Button ${i}`, callback_data: `t:topic-${i}` }]) };
const HTML = `<b>Menu</b>\n\n${"A short route for your situation or for someone close to you. ".repeat(12)}`;

async function measure(variant: Variant, apiRoot: string): Promise<{ perSecond: number; cpuUsPerCall: number; p50: number; p99: number }> {
  const api = apiFor(variant, apiRoot);
  const call = (i: number) => (i % 3 === 2 ? api.sendChatAction(1000 + (i % 500), "typing") : api.sendMessage(1000 + (i % 500), HTML, { parse_mode: "HTML", reply_markup: KEYBOARD }));
  for (let i = 0; i < 500; i++) await call(i);
  const latencies: number[] = [];
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < CALLS) {
        const i = next++;
        const s = performance.now();
        await call(i);
        latencies.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  latencies.sort((a, b) => a - b);
  return { perSecond: CALLS / seconds, cpuUsPerCall: (cpu.user + cpu.system) / CALLS, p50: latencies[Math.floor(latencies.length / 2)]!, p99: latencies[Math.floor(latencies.length * 0.99)]! };
}

async function main(): Promise<void> {
  if (process.argv.includes("--serve")) return serve();
  const canPin = cpus().length >= 2 && spawnSync("taskset", ["-V"]).status === 0;
  if (canPin && process.env.BENCH_PINNED === undefined) {
    // Run pinned in a child; a signal sent to this process alone is passed on.
    const child = spawn("taskset", ["-c", "0", process.execPath, ...process.execArgv, ...process.argv.slice(1)], { stdio: "inherit", env: { ...process.env, BENCH_PINNED: "1" } });
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => child.kill(signal));
    const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
    process.exit(code ?? 1);
  }
  if (process.env.BENCH_PINNED !== undefined) {
    // Killed outright, the process above cannot pass anything on: the run is of no use any more.
    const parent = process.ppid;
    setInterval(() => process.ppid !== parent && process.exit(1), 500).unref();
  }
  const standin = fork(process.argv[1]!, ["--serve"], { execArgv: [], ...(canPin ? { execPath: "taskset", execArgv: ["-c", "1", process.execPath] } : {}) });
  const port = await new Promise<number>((resolve) => standin.once("message", (m: { port: number }) => resolve(m.port)));
  const apiRoot = `http://127.0.0.1:${port}`;
  const variants: Variant[] = ["node:http client (ours)", "grammY default + auto-retry + transformer"];
  const results = new Map<Variant, Awaited<ReturnType<typeof measure>>[]>(variants.map((v) => [v, []]));
  for (let round = 0; round < ROUNDS; round++) for (const v of variants) results.get(v)!.push(await measure(v, apiRoot));
  standin.kill();
  console.log(`${CALLS} calls per run (2 of 3 sendMessage with the menu's HTML and keyboard, 1 sendChatAction), ${IN_FLIGHT} in flight, ${ROUNDS} rounds, medians (range)${canPin ? "; this process on core 0, the stand-in on core 1" : ""}\n`);
  console.log("| client | calls/s | CPU µs per call | p50 ms | p99 ms |\n|---|---|---|---|---|");
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  const range = (xs: number[], digits = 0) => `${med(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)})`;
  for (const [v, rs] of results) {
    console.log(`| ${v} | ${range(rs.map((r) => r.perSecond))} | ${range(rs.map((r) => r.cpuUsPerCall))} | ${range(rs.map((r) => r.p50), 2)} | ${range(rs.map((r) => r.p99), 2)} |`);
  }
}

await main();
