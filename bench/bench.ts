/**
 * npm run bench: the realistic mix (1,000 users, 20,000 updates) through the full bot with a
 * real SQLite file and the in-process Bot API, then the same updates through a bare grammY bot
 * with in-memory sessions that sends equivalent replies. Prints updates/s, latency percentiles,
 * peak RSS, database size, the ratio between the two, start-up time, and RSS with 100,000
 * stored sessions. Runs pinned to one CPU core when `taskset` is available.
 *
 *   npm run bench -- --users 1000 --updates 20000 --sessions 100000
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, statSync } from "node:fs";
import type { Update } from "grammy/types";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { type App, assemble } from "../src/app.js";
import { createBot } from "../src/bot/index.js";
import { LocalTelegram } from "../tools/local-telegram/emulator.js";
import { LocalTelegramServer } from "../tools/local-telegram/http-server.js";
import { createLogger } from "../src/logger.js";
import { createBareBot } from "./bare-bot.js";
import { buildWorkload, play, simulatedUsers, type Workload } from "./workload.js";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const USERS = arg("users", 1000);
const UPDATES = arg("updates", 20_000);
const SESSIONS = arg("sessions", 100_000);
const CONCURRENCY = arg("concurrency", 64);
const TOKEN = "123456:bench";
/** What the Docker image sets in NODE_OPTIONS: V8 collects garbage sooner instead of growing the heap. */
const HEAP_CAP = "--max-old-space-size=128";
const silent = () => createLogger({ level: "warn", destination: { write: () => undefined } as never });

interface RunResult {
  updates: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  peakRssMb: number;
}

/** Plays the workload: each user's updates in order, up to CONCURRENCY users at a time. */
async function drive(tg: LocalTelegram, workload: Workload, concurrency: number): Promise<RunResult> {
  const users = simulatedUsers(tg, workload);
  const latencies = new Float64Array(workload.total);
  let n = 0;
  let peak = process.memoryUsage().rss;
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    while (next < users.length) {
      const i = next++;
      const user = users[i]!;
      for (const step of workload.users[i]!.steps) {
        const t0 = process.hrtime.bigint();
        await play(user, step);
        latencies[n++] = Number(process.hrtime.bigint() - t0) / 1e6;
        if ((n & 511) === 0) peak = Math.max(peak, process.memoryUsage().rss);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  peak = Math.max(peak, process.memoryUsage().rss);
  const sorted = latencies.slice(0, n).sort();
  const at = (p: number) => sorted[Math.min(n - 1, Math.floor(p * n))]!;
  return { updates: n, seconds, perSecond: n / seconds, p50: at(0.5), p99: at(0.99), max: sorted[n - 1]!, peakRssMb: peak / 2 ** 20 };
}

function dirSizeMb(dir: string): number {
  return readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0) / 2 ** 20;
}

type Kind = "full" | "bare";

/** One bot, fresh: a fresh database (full bot) and a fresh local Bot API. */
function startBot(kind: Kind) {
  const tg = new LocalTelegram({ callLogLimit: 0 });
  if (kind === "bare") {
    const bot = createBareBot(TOKEN, tg);
    tg.deliver = (u) => bot.handleUpdate(u);
    return { tg, dbMb: () => 0, close: () => undefined };
  }
  const dir = mkdtempSync(join(tmpdir(), "asylum-bench-"));
  const app = assemble({ databasePath: join(dir, "bot.sqlite"), logger: silent(), rateLimitPerMinute: 1_000_000 });
  const bot = createBot(app.deps, { token: TOKEN, botInfo: tg.botInfo, client: { fetch: tg.fetch } });
  tg.deliver = (u) => bot.handleUpdate(u);
  return {
    tg,
    dbMb: () => {
      app.deps.stats.flush();
      return dirSizeMb(dir);
    },
    close: () => app.close(),
  };
}

/**
 * Child mode: measures one kind of bot in a fresh process. Throughput with CONCURRENCY chats in
 * flight (as the runner does); latency with one update at a time, so it is the time to handle an
 * update rather than time spent queueing behind others.
 */
async function measure(kind: Kind): Promise<void> {
  const warm = startBot(kind);
  await drive(warm.tg, buildWorkload(100, 2000, 1), CONCURRENCY);
  warm.close();

  const load = startBot(kind);
  const throughput = await drive(load.tg, buildWorkload(USERS, UPDATES), CONCURRENCY);
  const dbMb = load.dbMb();
  const rejected = load.tg.rejected.length;
  load.close();

  const single = startBot(kind);
  const latency = await drive(single.tg, buildWorkload(USERS, UPDATES), 1);
  single.close();
  console.log(JSON.stringify({ throughput, latency, dbMb, rejected: rejected + single.tg.rejected.length }));
}

function runChild(kind: Kind, nodeFlags: string[] = []): { throughput: RunResult; latency: RunResult; dbMb: number; rejected: number } {
  const out = spawnSync(process.execPath, [...nodeFlags, ...process.execArgv, process.argv[1]!, "--measure", kind, ...process.argv.slice(2)], { encoding: "utf8", env: { ...process.env, BENCH_PINNED: "1" }, maxBuffer: 1 << 24 });
  if (out.status !== 0) throw new Error(`${kind} run failed: ${out.stderr}`);
  return JSON.parse(out.stdout.trim().split("\n").pop()!);
}

/** In-process: everything `assemble` and `createBot` do before the first update (content, search, database). */
function initTime(): number {
  const dir = mkdtempSync(join(tmpdir(), "asylum-bench-init-"));
  const t0 = process.hrtime.bigint();
  const app: App = assemble({ databasePath: join(dir, "bot.sqlite"), logger: silent() });
  createBot(app.deps, { token: TOKEN, botInfo: new LocalTelegram().botInfo });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  app.close();
  return ms;
}

/** From `node dist/src/main.js` (what `npm start` runs after its build) to "bot started", against the local Bot API over HTTP. */
async function processStartup(): Promise<number> {
  const server = new LocalTelegramServer(new LocalTelegram(), { token: TOKEN });
  const apiRoot = await server.listen();
  const dir = mkdtempSync(join(tmpdir(), "asylum-bench-start-"));
  const t0 = Date.now();
  const child = spawn(process.execPath, ["dist/src/main.js"], {
    env: { PATH: process.env.PATH, BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: apiRoot, DATABASE_PATH: join(dir, "bot.sqlite"), LOG_FORMAT: "json", NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const ms = await new Promise<number>((resolve) => {
    child.stdout!.on("data", (d: Buffer) => {
      if (d.toString().includes("bot started")) resolve(Date.now() - t0);
    });
  });
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  await server.close();
  return ms;
}

/**
 * The bot as deployed: `node dist/src/main.js` in its own process, polling the local Bot API over
 * HTTP, so its RSS is the bot's alone. Each simulated user waits for the answer to every step, as
 * a person would, with CONCURRENCY users at a time. Returns the bot process's peak RSS.
 */
async function deployedProcess(nodeFlags: string[]): Promise<{ peakRssMb: number; idleRssMb: number; perSecond: number; rejected: number }> {
  const tg = new LocalTelegram({ callLogLimit: 0 });
  const server = new LocalTelegramServer(tg, { token: TOKEN });
  const apiRoot = await server.listen();
  const dir = mkdtempSync(join(tmpdir(), "asylum-bench-deployed-"));
  const child = spawn(process.execPath, [...nodeFlags, "dist/src/main.js"], {
    env: { PATH: process.env.PATH, BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: apiRoot, DATABASE_PATH: join(dir, "bot.sqlite"), LOG_FORMAT: "json", NODE_ENV: "production", RATE_LIMIT_PER_MINUTE: "1000" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve) => child.stdout!.on("data", (d: Buffer) => d.toString().includes("bot started") && resolve()));
  const status = () => readFileSync(`/proc/${child.pid}/status`, "utf8");
  const mb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status())![1]) / 1024;
  const idleRssMb = mb("VmRSS");
  const workload = buildWorkload(USERS, UPDATES, 5);
  const users = simulatedUsers(tg, workload);
  let pushed: Update | undefined;
  const push = tg.push.bind(tg);
  tg.push = (update) => {
    pushed = update;
    return push(update);
  };
  const seen = (chatId: number) => tg.visible(chatId).reduce((n, m) => n + (m.fromBot ? 1 + m.edits : 0), 0);
  let next = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < users.length) {
        const i = next++;
        const user = users[i]!;
        for (const step of workload.users[i]!.steps) {
          const before = seen(user.chatId);
          await play(user, step);
          const update = pushed!;
          const query = update.callback_query?.id ?? update.inline_query?.id;
          const done = () => (query !== undefined ? tg.isAnswered(query) : seen(user.chatId) > before);
          while (!done()) await new Promise((r) => setTimeout(r, 1));
        }
      }
    }),
  );
  const perSecond = workload.total / ((Date.now() - started) / 1000);
  const peakRssMb = mb("VmHWM");
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  await server.close();
  return { peakRssMb, idleRssMb, perSecond, rejected: tg.rejected.length };
}

const SESSION_SECRET = "bench-secret-bench-secret-bench-secret-00";

/** Writes `count` sessions into a fresh database, as if that many people had used the bot. */
function seedSessions(count: number): string {
  const dir = mkdtempSync(join(tmpdir(), "asylum-bench-sessions-"));
  const databasePath = join(dir, "bot.sqlite");
  const seed = assemble({ databasePath, anonSecret: SESSION_SECRET, logger: silent() });
  const sessions = seed.deps.store.adapter<{ lang: string; recent: [number, number][] }>("s");
  const now = Math.floor(Date.now() / 1000);
  seed.deps.store.transaction(() => {
    for (let i = 0; i < count; i++) sessions.write(seed.deps.anonymize(20_000_000 + i), { lang: i % 3 === 0 ? "en" : "ru", recent: [[1, now], [2, now]] });
  })();
  seed.close();
  return databasePath;
}

/** Child mode: a fresh process opens the seeded database and serves traffic from its users; reports RSS. */
async function sessionsChild(databasePath: string): Promise<void> {
  const tg = new LocalTelegram({ callLogLimit: 0 });
  const app = assemble({ databasePath, anonSecret: SESSION_SECRET, logger: silent(), rateLimitPerMinute: 1_000_000 });
  const bot = createBot(app.deps, { token: TOKEN, botInfo: tg.botInfo, client: { fetch: tg.fetch } });
  tg.deliver = (u) => bot.handleUpdate(u);
  const stored = app.deps.store.count();
  const workload = buildWorkload(2000, 20_000, 7);
  workload.users.forEach((u, i) => (u.profile.id = 20_000_000 + Math.floor((i * stored) / 2000)));
  const run = await drive(tg, workload, CONCURRENCY);
  const dbMb = dirSizeMb(join(databasePath, ".."));
  app.close();
  console.log(JSON.stringify({ stored, dbMb, peakRssMb: run.peakRssMb, perSecond: run.perSecond, p99: run.p99 }));
}

function machine(): string {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  let pinned = "not pinned";
  try {
    pinned = `affinity ${execFileSync("taskset", ["-pc", String(process.pid)], { encoding: "utf8" }).split(":").pop()!.trim()}`;
  } catch {
    // taskset is not installed
  }
  return `${cpu}, ${cpus().length} cores (${pinned}), Node ${process.version}, ${process.platform}/${process.arch}`;
}

const fmt = (m: { throughput: RunResult; latency: RunResult }) =>
  [
    `throughput: ${m.throughput.updates} updates in ${m.throughput.seconds.toFixed(2)} s = ${Math.round(m.throughput.perSecond)} updates/s (${CONCURRENCY} chats in flight); peak RSS ${m.throughput.peakRssMb.toFixed(0)} MB`,
    `latency, one update at a time: p50 ${m.latency.p50.toFixed(3)} ms, p99 ${m.latency.p99.toFixed(3)} ms, max ${m.latency.max.toFixed(1)} ms`,
    `latency with ${CONCURRENCY} in flight (includes queueing): p50 ${m.throughput.p50.toFixed(2)} ms, p99 ${m.throughput.p99.toFixed(2)} ms`,
  ].join("\n  ");

async function main(): Promise<void> {
  const child = process.argv.indexOf("--sessions-child");
  if (child >= 0) return sessionsChild(process.argv[child + 1]!);
  const measuring = process.argv.indexOf("--measure");
  if (measuring >= 0) return measure(process.argv[measuring + 1] as Kind);
  if (process.env.BENCH_PINNED === undefined && spawnSync("taskset", ["-V"]).status === 0) {
    const pinned = spawnSync("taskset", ["-c", "0", process.execPath, ...process.execArgv, ...process.argv.slice(1)], { stdio: "inherit", env: { ...process.env, BENCH_PINNED: "1" } });
    process.exit(pinned.status ?? 1);
  }

  console.log(`Machine: ${machine()}`);
  const workload = buildWorkload(USERS, UPDATES);
  console.log(`Workload: ${workload.users.length} users, ${workload.total} updates (start, menus, topic views, guided conversations, inline queries, handoffs), ${CONCURRENCY} chats at a time\n`);

  const full = runChild("full");
  console.log(`full bot (SQLite file, conversations, i18n, metrics, privacy):\n  ${fmt(full)}\n  database ${full.dbMb.toFixed(1)} MB; rejected calls ${full.rejected}`);
  const bare = runChild("bare");
  console.log(`bare grammY (memory sessions, equivalent replies):\n  ${fmt(bare)}\n  rejected calls ${bare.rejected}`);
  console.log(`ratio full / bare (throughput): ${(full.throughput.perSecond / bare.throughput.perSecond).toFixed(2)}`);
  const capped = runChild("full", [HEAP_CAP]);
  console.log(`full bot with the Docker image's heap cap (${HEAP_CAP}):\n  ${fmt(capped)}\n`);

  for (const flags of [[], [HEAP_CAP]]) {
    const d = await deployedProcess(flags);
    console.log(
      `deployed process (npm start's command${flags.length > 0 ? ` with ${flags.join(" ")}` : ""}, polling over HTTP, every user waiting for each answer): RSS ${d.idleRssMb.toFixed(0)} MB idle, peak ${d.peakRssMb.toFixed(0)} MB over the workload; ${Math.round(d.perSecond)} updates/s end to end; rejected calls ${d.rejected}`,
    );
  }
  console.log("");

  console.log(`start-up: ${initTime().toFixed(0)} ms in process (content check, search index, database); ${await processStartup()} ms from launch to polling`);

  const seeded = seedSessions(SESSIONS);
  const out = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, "--sessions-child", seeded], { encoding: "utf8", env: { ...process.env, BENCH_PINNED: "1" } });
  const r = JSON.parse(out.stdout.trim().split("\n").pop()!) as { stored: number; dbMb: number; peakRssMb: number; perSecond: number; p99: number };
  console.log(
    `with ${r.stored} stored sessions: peak RSS ${r.peakRssMb.toFixed(0)} MB while serving 20000 updates from 2000 of them (${Math.round(r.perSecond)} updates/s, p99 ${r.p99.toFixed(3)} ms); database ${r.dbMb.toFixed(1)} MB`,
  );
}

await main();
