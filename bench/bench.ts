/**
 * npm run bench: the built bot as its own process, over HTTP, against a Bot API stand-in with
 * simulated users in another process on another core (bench/standin.ts). Beside it, in the same
 * run and under the same load, two baselines (bench/bare-bot.ts): bare grammY with the runner and
 * `sequentialize`, sessions in memory, replies of the same size; and the same with sessions in a
 * durable store, as a grammY user would deploy it (a minimal StorageAdapter over better-sqlite3;
 * @grammyjs/storage-psql on PostgreSQL). Polling and webhook, 100 and 1,000 users; with a Bot API
 * answering in 300 ms, how often getUpdates hands each update out; then PostgreSQL, one and three
 * webhook replicas and polling; with --extra, V8 flags and the longest event-loop stall while
 * sweeping 1,000,000 expired chats, old way against new.
 *
 *   npm run bench [-- --updates 10000 --rate-updates 2000 --quick --rounds 3 --extra]
 *   npm run bench -- --before <dir>   also another build of the bot (<dir>/dist/src/main.js), in the same rounds
 *   npm run bench -- --one full:polling:100[:node-flag…] [--postgres] [--tail]   one configuration, as JSON (on SQLite, or on a PostgreSQL of its own); --tail adds its line of the tail table (SQLite)
 *   npm run bench -- --tail [--rounds N] [--before <dir>]   where the slow answers at 200 updates/s come from
 *   npm run bench -- --postgres-only [--rounds N] [--before <dir>]   only the PostgreSQL table
 *   … --helpers-elsewhere   each bot's threads but the main one on the other core (see moveHelpers)
 *   BENCH_DEBUG=1 …   also the bot's log, latency by kind of step, and the Bot API calls made
 *   DATABASE_POOL_SIZE=20 …   the bots' pool size on PostgreSQL (otherwise theirs, 10)
 *
 * For each run: updates/s with 64 users in flight, each waiting for every answer; the bot
 * process's CPU time per update (from /proc); p50 and p99 latency, and the guided steps' p50,
 * with updates arriving at a fixed 200 per second; the process's peak RSS (VmHWM). No heap cap.
 * With --rounds, every configuration runs once per round and the figures are the medians.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { cpus, constants as osConstants, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Where } from "../src/storage/engine.js";
import type { Storage } from "../src/storage/storage.js";
import { type Cluster, createDatabase, freePort, postgresBin, startCluster } from "../tools/postgres-cluster.js";
import { addClusterToOwner, cleanUpEarlierRuns, endRun, RUN_MARKER, startWatchdog, writeOwner } from "../tools/suite-run.js";
import type { Command, Latencies } from "./standin.js";
import type { TailEvent } from "./tail-probe.js";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const QUICK = process.argv.includes("--quick");
const POSTGRES_ONLY = process.argv.includes("--postgres-only");
const UPDATES = arg("updates", QUICK ? 3000 : 10_000);
const RATE_UPDATES = arg("rate-updates", QUICK ? 600 : 2000);
const SWEEP_ROWS = arg("sweep-rows", QUICK ? 100_000 : 1_000_000);
const ROUNDS = arg("rounds", 1);
const CONCURRENCY = 64;
/** The slow Bot API of the refetch measurement, and how many updates its closed loop plays. */
const SLOW_API_MS = 300;
const SLOW_UPDATES = arg("slow-updates", QUICK ? 500 : 1500);
const RATE = 200;
const TOKEN = "123456:bench";
const SECRET = "bench-anon-secret-bench-anon-secret-0001";
const CLOCK_TICK_US = 1e6 / Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

/** The run's folder (see supervise), in the environment of the child that runs the benchmark. */
const BENCH_RUN = "ASYLUM_BENCH_RUN";
const BENCH_RUN_PREFIX = "asylum-bench-run-";

/** The bot gets core 0; the stand-in, PostgreSQL and this script share core 1. */
const canPin = cpus().length >= 2 && spawnSync("taskset", ["-V"]).status === 0;
const pinned = (core: number, command: string, args: string[]): [string, string[]] => (canPin ? ["taskset", ["-c", String(core), command, ...args]] : [command, args]);
/**
 * --helpers-elsewhere: every bot's threads but its main one (V8's GC and compiler workers, libuv's
 * pool, where the inbox's fdatasync runs) move to core 1 once it has warmed up, as on a host with
 * a core to spare. Pinned whole to core 0, they take the core from the event loop: most of the
 * late timers in --tail are that, in all three bots.
 */
const HELPERS_ELSEWHERE = process.argv.includes("--helpers-elsewhere");
function moveHelpers(pid: number): void {
  if (!canPin) return;
  for (const tid of readdirSync(`/proc/${pid}/task`)) if (tid !== String(pid)) spawnSync("taskset", ["-p", "-c", "1", tid], { stdio: "ignore" });
}

/** The bot as built here; another build of it (--before <dir>); bare grammY with sessions in memory; and with sessions in a durable store. */
type Kind = "full" | "before" | "bare" | "durable";
/**
 * What an interrupted benchmark (Ctrl-C, SIGTERM) must undo: temporary folders and PostgreSQL
 * clusters. Child processes get the terminal's signal themselves; the folders and the cluster's
 * server (in a process group of its own) do not.
 */
const undo = new Set<() => void>();
const onInterrupt = (fn: () => void): (() => void) => {
  undo.add(fn);
  return () => undo.delete(fn);
};
const tempDir = (prefix: string): { dir: string; remove(): void } => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const forget = onInterrupt(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    remove() {
      forget();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

const BEFORE = (() => {
  const i = process.argv.indexOf("--before");
  return i >= 0 ? process.argv[i + 1] : undefined;
})();
type Mode = "polling" | "webhook";

interface Scenario {
  kind: Kind;
  mode: Mode;
  users: number;
  /** PostgreSQL instead of the SQLite file, with this many replicas (webhook only). */
  postgres?: { cluster: string; replicas: number };
  nodeFlags?: string[];
  /** --tail: the bot process runs with bench/tail-probe.ts, and the fixed-rate phase's slow answers are laid beside its pauses. */
  tail?: boolean;
}

interface Row {
  scenario: Scenario;
  /** With a Bot API answering in 300 ms (polling only): 20 chats × 5 commands at once, and the closed loop. */
  slow?: { burst: Latencies; closed: Latencies };
  perSecond: number;
  cpuUsPerUpdate: number;
  /** PostgreSQL's own CPU per update (all its processes), on PostgreSQL. */
  dbCpuUsPerUpdate?: number;
  closed: Latencies;
  rate: Latencies;
  peakRssMb: number;
  startupMs: number;
  tail?: Tail;
  /** The machine's CPU time the hypervisor gave to other guests (steal), in %, during each phase; absent where /proc/stat has no such field. */
  steal?: { closed: number; rate: number };
}

/** The whole machine's CPU times from /proc/stat: all of them, and the steal among them. */
function cpuTimes(): { total: number; steal: number } | undefined {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  if (fields.length < 8 || fields.some(Number.isNaN)) return undefined;
  return { total: fields.reduce((a, b) => a + b, 0), steal: fields[7]! };
}

const stealPct = (from: ReturnType<typeof cpuTimes>, to: ReturnType<typeof cpuTimes>) =>
  from === undefined || to === undefined || to.total === from.total ? 0 : (100 * (to.steal - from.steal)) / (to.total - from.total);

/**
 * This VM shares its host: at times the host takes a quarter of its CPU time, and every figure
 * moves with it. Said under every table, so that runs on a busy host are not read as the bot's.
 */
function stealLine(rows: Row[]): string {
  const of = (pick: (r: Row) => number) => {
    const v = rows.filter((r) => r.steal !== undefined).map(pick);
    return v.length === 0 ? "–" : `${Math.min(...v).toFixed(1)}-${Math.max(...v).toFixed(1)}%`;
  };
  return `CPU time taken by the host (steal, /proc/stat) during these runs: closed loops ${of((r) => r.steal!.closed)}, fixed-rate phases ${of((r) => r.steal!.rate)}. Above a few per cent the figures are the host's as much as the bot's.`;
}

/** `tailFile` (--tail): the stand-in carries the probe too, since its own pauses delay the answers it times. */
function startStandin(webhookTargets: string[] | undefined, tailFile?: string) {
  const probe = tailFile === undefined ? [] : ["--import", new URL("./tail-probe.js", import.meta.url).href];
  const [command, args] = pinned(1, process.execPath, [...probe, "dist/bench/standin.js"]);
  const child = spawn(command, args, { stdio: ["ignore", "inherit", "inherit", "ipc"], ...(tailFile === undefined ? {} : { env: { ...process.env, BENCH_TAIL_FILE: tailFile } }) });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const ask = <T>(command: Command) =>
    new Promise<T>((resolve, reject) => {
      child.once("message", (m: { type: string; message?: string }) => (m.type === "error" ? reject(new Error(m.message)) : resolve(m as T)));
      child.send(command);
    });
  return {
    start: () => ask<{ apiRoot: string }>({ type: "start", token: TOKEN, ...(webhookTargets === undefined ? {} : { webhookTargets }) }),
    ask: (command: Command) => ask<Latencies>(command),
    close: () => child.kill(),
    /** Resolves once it has exited (and written its probe's file, if any). */
    exited,
  };
}

interface BotProcess {
  child: ChildProcess;
  ready: Promise<number>;
}

const isFull = (kind: Kind) => kind === "full" || kind === "before";

function startBot(s: Scenario, apiRoot: string, port: number | undefined, databaseUrl: string | undefined, dir: string): BotProcess {
  const entry = s.kind === "full" ? "dist/src/main.js" : s.kind === "before" ? join(BEFORE!, "dist/src/main.js") : "dist/bench/bare-bot.js";
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    // So that what is left of a killed run can be found (supervise).
    [RUN_MARKER]: process.env[RUN_MARKER] ?? "",
    NODE_ENV: "production",
    LOG_FORMAT: "json",
    BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: apiRoot,
    // The simulated users are fast; the limit is for people.
    RATE_LIMIT_PER_MINUTE: "10000",
    // The bench's own DATABASE_POOL_SIZE, if set, for trying other pool sizes on PostgreSQL.
    ...(process.env.DATABASE_POOL_SIZE === undefined ? {} : { DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE }),
    ...(databaseUrl === undefined ? { DATABASE_PATH: join(dir, "bot.sqlite") } : { DATABASE_URL: databaseUrl, ANON_SECRET: SECRET }),
    ...(s.kind === "durable" ? { BARE_STORE: databaseUrl ?? `sqlite:${join(dir, "sessions.sqlite")}` } : {}),
    ...(port === undefined ? {} : { WEBHOOK_URL: "https://bench.invalid/telegram", WEBHOOK_SECRET: "bench", PORT: String(port), HOST: "127.0.0.1" }),
    ...(s.tail === true ? { BENCH_TAIL_FILE: join(dir, "tail.json") } : {}),
  };
  const probe = s.tail === true ? ["--import", new URL("./tail-probe.js", import.meta.url).href] : [];
  const [command, args] = pinned(0, process.execPath, [...(s.nodeFlags ?? []), ...probe, entry]);
  const t0 = performance.now();
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  const ready = new Promise<number>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (process.env.BENCH_DEBUG !== undefined) process.stderr.write(d);
      if (out.includes("bot started")) resolve(performance.now() - t0);
    });
    child.once("exit", (code) => reject(new Error(`${entry} exited with ${code}: ${out}`)));
  });
  return { child, ready };
}

function cpuUs(pid: number): number {
  return statCpuUs(readFileSync(`/proc/${pid}/stat`, "utf8"));
}

/** User and system CPU time from a /proc/<pid>/stat line. */
function statCpuUs(stat: string): number {
  const fields = stat.split(") ")[1]!.split(" ");
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after "pid (comm) ".
  return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_US;
}

/** CPU time of every PostgreSQL process on the machine: the benchmark's cluster is the only one. */
function postgresCpuUs(): number {
  let sum = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (stat.includes(" (postgres) ")) sum += statCpuUs(stat);
    } catch {
      // Gone meanwhile.
    }
  }
  return sum;
}

const peakRssMb = (pid: number) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

async function run(s: Scenario): Promise<Row> {
  const replicas = s.postgres?.replicas ?? 1;
  const ports = s.mode === "webhook" ? await Promise.all(Array.from({ length: replicas }, () => freePort())) : [];
  const { dir, remove } = tempDir("asylum-bench-");
  const standin = startStandin(s.mode === "webhook" ? ports.map((p) => `http://127.0.0.1:${p}`) : undefined, s.tail === true ? join(dir, "standin-tail.json") : undefined);
  const bots: BotProcess[] = [];
  // A signal to this process alone (not to its terminal's group) must not leave them running.
  const forgetChildren = onInterrupt(() => {
    for (const b of bots) b.child.kill("SIGKILL");
    standin.close();
  });
  let row: Row | undefined;
  // Everything started is stopped and the folder removed, also when a bot fails to start.
  try {
    const { apiRoot } = await standin.start();
    const databaseUrl = s.postgres === undefined ? undefined : await createDatabase(s.postgres.cluster, "bench");
    // Replicas start one after another, as in a rolling deployment; the first sets up the schema.
    for (let i = 0; i < replicas; i++) {
      const bot = startBot(s, apiRoot, ports[i], databaseUrl, dir);
      bots.push(bot);
      await bot.ready;
    }
    const startupMs = await bots[0]!.ready;
    await standin.ask({ type: "closed", users: 200, updates: 2000, seed: 1, concurrency: CONCURRENCY, firstId: 50_000_000 });
    // After the warm-up, so that the threads created on first use (libuv's pool) are there too.
    if (HELPERS_ELSEWHERE) for (const b of bots) moveHelpers(b.child.pid!);
    const cpu = () => bots.reduce((sum, b) => sum + cpuUs(b.child.pid!), 0);
    const before = cpu();
    const dbBefore = s.postgres === undefined ? 0 : postgresCpuUs();
    const closedFrom = cpuTimes();
    const closed = await standin.ask({ type: "closed", users: s.users, updates: UPDATES, seed: 20261128, concurrency: CONCURRENCY, firstId: 10_000_000 });
    const closedTo = cpuTimes();
    await new Promise((r) => setTimeout(r, 300));
    const cpuUsPerUpdate = (cpu() - before) / closed.updates;
    const dbCpuUsPerUpdate = s.postgres === undefined ? undefined : (postgresCpuUs() - dbBefore) / closed.updates;
    const rateFrom = cpuTimes();
    const rate = await standin.ask({ type: "rate", users: s.users, updates: RATE_UPDATES, seed: 7, perSecond: RATE, firstId: 10_000_000, samples: s.tail === true });
    const rateTo = cpuTimes();
    const steal = closedFrom === undefined ? undefined : { closed: stealPct(closedFrom, closedTo), rate: stealPct(rateFrom, rateTo) };
    row = { scenario: s, perSecond: closed.updates / closed.seconds, cpuUsPerUpdate, ...(dbCpuUsPerUpdate === undefined ? {} : { dbCpuUsPerUpdate }), closed, rate, peakRssMb: Math.max(...bots.map((b) => peakRssMb(b.child.pid!))), startupMs, ...(steal === undefined ? {} : { steal }) };
    if (s.mode === "polling" && s.users === 100) {
      const burst = await standin.ask({ type: "burst", chats: 20, commands: ["/start", "/help", "/topics", "/updates", "/lawyer"], delayMs: SLOW_API_MS, firstId: 30_000_000 });
      const slowClosed = await standin.ask({ type: "closed", users: 200, updates: SLOW_UPDATES, seed: 11, concurrency: CONCURRENCY, firstId: 40_000_000, delayMs: SLOW_API_MS });
      row.slow = { burst, closed: slowClosed };
    }
  } finally {
    for (const b of bots) {
      b.child.removeAllListeners("exit");
      b.child.kill("SIGTERM");
    }
    await Promise.all(bots.map((b) => new Promise((r) => (b.child.exitCode !== null ? r(null) : b.child.once("exit", r)))));
    standin.close();
    if (s.tail === true) await standin.exited;
    const events = (file: string) => (existsSync(join(dir, file)) ? (JSON.parse(readFileSync(join(dir, file), "utf8")) as TailEvent[]) : undefined);
    const botEvents = s.tail === true ? events("tail.json") : undefined;
    if (row !== undefined && botEvents !== undefined) row.tail = tailOf(row.rate.samples ?? [], botEvents, events("standin-tail.json") ?? []);
    remove();
    forgetChildren();
  }
  return row!;
}

/** An answer slower than this counts as slow in the --tail report: the p99 target of issue 18. */
const SLOW_MS = 5;

/** The fixed-rate phase's slow answers, and what the bot process was doing meanwhile (bench/tail-probe.ts). */
interface Tail {
  answered: number;
  slow: number;
  /** Slow answers during which the bot process paused for garbage collection. */
  duringGc: number;
  /** Slow answers during which the event loop stalled, with no GC pause. */
  duringStallOnly: number;
  scavenges: number[];
  /** Mark-compact pauses (the old generation's final pauses), and the incremental marking steps. */
  majors: number[];
  /** Stalls that no GC pause overlaps. */
  stalls: number[];
  /** Share of the phase's wall time the process spent in GC pauses. */
  gcShare: number;
  /** Slow answers to updates sent while the bot's inbox was syncing to disk: the poller waits for the sync before it fetches again. */
  sentDuringSync: number;
  /** The disk syncs' durations. */
  syncs: number[];
  /**
   * Slow answers during which the stand-in itself paused (GC, or its event loop stalled over 2 ms):
   * it stamps an answer when it reads it, so such an answer may have come sooner than it says.
   * Counted apart from the columns above, which it overlaps.
   */
  duringStandinPause: number;
  /** The stand-in's pauses in the phase: GC pauses and stalls, each over 2 ms. */
  standinPauses: number[];
}

function tailOf(samples: [number, number][], events: TailEvent[], standinEvents: TailEvent[]): Tail {
  const answered = samples.filter(([, ms]) => ms >= 0);
  const from = Math.min(...answered.map(([t]) => t));
  const to = Math.max(...answered.map(([t, ms]) => t + ms));
  const inPhase = events.filter((e) => e[1] + e[2] >= from && e[1] <= to);
  const gcs = inPhase.filter((e): e is Extract<TailEvent, ["gc", ...unknown[]]> => e[0] === "gc");
  const overlaps = (a: number, aMs: number, b: number, bMs: number) => a < b + bMs && b < a + aMs;
  const stalls = inPhase.filter((e) => e[0] === "stall" && !gcs.some((g) => overlaps(e[1], e[2], g[1], g[2])));
  const slow = answered.filter(([, ms]) => ms > SLOW_MS);
  const duringGc = slow.filter(([t, ms]) => gcs.some((g) => overlaps(t, ms, g[1], g[2]))).length;
  const duringStallOnly = slow.filter(([t, ms]) => !gcs.some((g) => overlaps(t, ms, g[1], g[2])) && stalls.some((e) => overlaps(t, ms, e[1], e[2]))).length;
  // A GC pause over 2 ms shows as a stall of the stand-in's timer too: counted once.
  const standinStalls = standinEvents.filter((e) => e[0] === "stall" && e[1] + e[2] >= from && e[1] <= to);
  const standinPauses = [...standinStalls, ...standinEvents.filter((e) => e[0] === "gc" && e[2] > 2 && e[1] + e[2] >= from && e[1] <= to && !standinStalls.some((st) => overlaps(e[1], e[2], st[1], st[2])))];
  const duringStandinPause = slow.filter(([t, ms]) => standinPauses.some((e) => overlaps(t, ms, e[1], e[2]))).length;
  const syncs = inPhase.filter((e) => e[0] === "sync");
  const sentDuringSync = slow.filter(([t]) => syncs.some((e) => t >= e[1] && t < e[1] + e[2])).length;
  const sorted = (list: number[]) => list.sort((a, b) => a - b);
  return {
    sentDuringSync,
    syncs: sorted(syncs.map((e) => e[2])),
    answered: answered.length,
    slow: slow.length,
    duringGc,
    duringStallOnly,
    scavenges: sorted(gcs.filter((g) => g[3] === 1 || g[3] === 2).map((g) => g[2])),
    majors: sorted(gcs.filter((g) => g[3] === 4 || g[3] === 8).map((g) => g[2])),
    stalls: sorted(stalls.map((e) => e[2])),
    gcShare: gcs.reduce((sum, g) => sum + g[2], 0) / (to - from),
    duringStandinPause,
    standinPauses: sorted(standinPauses.map((e) => e[2])),
  };
}

function tailTable(rows: Row[]): string {
  const lines = [
    `| bot | p50 ms | p99 ms | answers > ${SLOW_MS} ms | … while the bot was in a GC pause | … in an event-loop stall without GC | … neither | scavenges: n, p50, max ms | mark-compact and marking steps: n, max ms | stalls without GC > 2 ms: n, max ms | time in GC pauses | answers > ${SLOW_MS} ms while the stand-in paused | stand-in's pauses > 2 ms: n, max ms | answers > ${SLOW_MS} ms sent while the inbox synced | disk syncs: n, p50, p99, max ms |`,
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  const at = (list: number[], p: number) => (list.length === 0 ? "–" : list[Math.min(list.length - 1, Math.floor(p * list.length))]!.toFixed(1));
  const share = (n: number, of: number) => `${n} (${of === 0 ? 0 : Math.round((100 * n) / of)}%)`;
  for (const r of rows) {
    const t = r.tail;
    if (t === undefined) continue;
    lines.push(
      `| ${name(r.scenario)} | ${ms(r.rate.p50)} | ${ms(r.rate.p99)} | ${share(t.slow, t.answered)} | ${share(t.duringGc, t.slow)} | ${share(t.duringStallOnly, t.slow)} | ${share(t.slow - t.duringGc - t.duringStallOnly, t.slow)} | ${t.scavenges.length}, ${at(t.scavenges, 0.5)}, ${at(t.scavenges, 1)} | ${t.majors.length}, ${at(t.majors, 1)} | ${t.stalls.length}, ${at(t.stalls, 1)} | ${(100 * t.gcShare).toFixed(1)}% | ${share(t.duringStandinPause, t.slow)} | ${t.standinPauses.length}, ${at(t.standinPauses, 1)} | ${t.syncs.length === 0 ? "–" : share(t.sentDuringSync, t.slow)} | ${t.syncs.length === 0 ? "–" : `${t.syncs.length}, ${at(t.syncs, 0.5)}, ${at(t.syncs, 0.99)}, ${at(t.syncs, 1)}`} |`,
    );
  }
  return lines.join("\n");
}

const KIND_NAMES: Record<Kind, string> = { full: "full bot", before: "full bot before", bare: "bare grammY", durable: "grammY + durable sessions" };
const name = (s: Scenario) =>
  [KIND_NAMES[s.kind], s.postgres === undefined ? (s.kind === "bare" ? "memory" : "SQLite") : `PostgreSQL ×${s.postgres.replicas}`, ...(s.nodeFlags ?? [])].join(", ");

/** NaN (nothing measured) crosses IPC as null. */
const ms = (v: number | null) => (v === null || Number.isNaN(v) ? "–" : v.toFixed(2));

function table(rows: Row[]): string {
  const db = rows.some((r) => r.dbCpuUsPerUpdate !== undefined);
  const lines = [
    `| mode | users | bot | updates/s | CPU µs/update |${db ? " PostgreSQL CPU µs/update |" : ""} p50 ms @200/s | p99 ms @200/s | guided step p50 ms | peak RSS MB | fetched per update | unanswered | rejected |`,
    `|---|---|---|---|---|${db ? "---|" : ""}---|---|---|---|---|---|---|`,
  ];
  for (const r of rows) {
    const s = r.scenario;
    lines.push(
      `| ${s.mode} | ${s.users} | ${name(s)} | ${Math.round(r.perSecond)} | ${Math.round(r.cpuUsPerUpdate)} |${db ? ` ${r.dbCpuUsPerUpdate === undefined ? "–" : Math.round(r.dbCpuUsPerUpdate)} |` : ""} ${ms(r.rate.p50)} | ${ms(r.rate.p99)} | ${isFull(s.kind) ? ms(r.rate.guidedP50) : "–"} | ${r.peakRssMb.toFixed(0)} | ${s.mode === "polling" ? r.closed.fetchedPerUpdate.toFixed(2) : "–"} | ${r.closed.unanswered + r.rate.unanswered} | ${r.rate.rejected} |`,
    );
  }
  return lines.join("\n");
}

function slowTable(rows: Row[]): string {
  const lines = [
    `| bot | 20 chats × 5 commands: fetched per update | all answered after s | closed loop, 64 in flight: fetched per update | p50 ms | p99 ms | updates/s |`,
    "|---|---|---|---|---|---|---|",
  ];
  for (const r of rows) {
    if (r.slow === undefined) continue;
    const { burst, closed } = r.slow;
    lines.push(`| ${name(r.scenario)} | ${burst.fetchedPerUpdate.toFixed(2)} | ${burst.seconds.toFixed(2)}${burst.unanswered > 0 ? ` (${burst.unanswered} unanswered)` : ""} | ${closed.fetchedPerUpdate.toFixed(2)} | ${ms(closed.p50)} | ${ms(closed.p99)} | ${Math.round(closed.updates / closed.seconds)} |`);
  }
  return lines.join("\n");
}

/** The longest gap in a 1 ms timer while `work` runs: how long the event loop was held. */
async function longestStall(work: () => Promise<unknown> | unknown): Promise<{ stallMs: number; totalMs: number }> {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 1);
  await new Promise((r) => setTimeout(r, 5));
  last = performance.now();
  const t0 = performance.now();
  await work();
  const totalMs = performance.now() - t0;
  worst = Math.max(worst, performance.now() - last);
  clearInterval(timer);
  return { stallMs: worst, totalMs };
}

const DAY = 86_400_000;

/** SWEEP_ROWS expired chats in a fresh database, written straight into the table. */
async function seededStorage(where: Where, now: { t: number }): Promise<Storage> {
  const [{ default: Database }, { sql }, { openEngine }, { Storage }] = await Promise.all([import("better-sqlite3"), import("kysely"), import("../src/storage/engine.js"), import("../src/storage/storage.js")]);
  const storage = new Storage(await openEngine(where), { now: () => now.t });
  if (where.engine === "sqlite") {
    const raw = new Database(where.path);
    const insert = raw.prepare("INSERT INTO records (key, value, touched) VALUES (?, ?, ?)");
    raw.transaction(() => {
      for (let i = 0; i < SWEEP_ROWS; i++) insert.run(`s:expired-${i}`, '{"lang":"ru"}', now.t);
    })();
    raw.close();
  } else {
    await sql`INSERT INTO records (key, value, touched) SELECT 's:expired-' || g, '{"lang":"ru"}', ${now.t} FROM generate_series(1, ${SWEEP_ROWS}) g`.execute(storage.db);
  }
  now.t += 31 * DAY;
  return storage;
}

async function sweeps(cluster: string | undefined): Promise<string[]> {
  const lines: string[] = [];
  const now = { t: Date.UTC(2026, 0, 1) };
  const { dir, remove } = tempDir("asylum-bench-sweep-");
  // Before: the sweep was one DELETE; better-sqlite3 runs it synchronously, so the loop waits it out.
  const oldPath = join(dir, "old.sqlite");
  await (await seededStorage({ engine: "sqlite", path: oldPath }, now)).close();
  const { default: Database } = await import("better-sqlite3");
  const raw = new Database(oldPath);
  raw.pragma("secure_delete = ON");
  const before = await longestStall(() => raw.prepare("DELETE FROM records WHERE touched < ?").run(now.t - 30 * DAY));
  raw.close();
  lines.push(`| SQLite | one DELETE (before) | ${before.stallMs.toFixed(0)} | ${(before.totalMs / 1000).toFixed(1)} |`);
  const storage = await seededStorage({ engine: "sqlite", path: join(dir, "new.sqlite") }, now);
  const after = await longestStall(() => storage.sweep(30 * DAY));
  await storage.close();
  lines.push(`| SQLite | batches of 500 (now) | ${after.stallMs.toFixed(0)} | ${(after.totalMs / 1000).toFixed(1)} |`);
  if (cluster !== undefined) {
    const pgStorage = await seededStorage({ engine: "postgres", url: await createDatabase(cluster, "sweep"), poolSize: 4 }, now);
    const pgAfter = await longestStall(() => pgStorage.sweep(30 * DAY));
    await pgStorage.close();
    lines.push(`| PostgreSQL | batches of 500 (now) | ${pgAfter.stallMs.toFixed(0)} | ${(pgAfter.totalMs / 1000).toFixed(1)} |`);
  }
  remove();
  return lines;
}

/**
 * In process, labelled as such: the full bot with the in-process Bot API (no network, no HTTP),
 * one update at a time, so the time is the bot's own handling. Reports the guided conversation's
 * steps apart from the rest.
 */
async function inProcess(): Promise<string> {
  // Loaded here, not at the top: the whole bot, which the rest of this script (and --help) never needs.
  const [{ assemble }, { createBot }, { createLogger }, { LocalTelegram }, { buildWorkload, play, simulatedUsers }] = await Promise.all([
    import("../src/app.js"),
    import("../src/bot/index.js"),
    import("../src/logger.js"),
    import("../tools/local-telegram/emulator.js"),
    import("../tools/workload.js"),
  ]);
  const { dir, remove } = tempDir("asylum-bench-inproc-");
  const tg = new LocalTelegram({ callLogLimit: 0 });
  const app = await assemble({ databasePath: join(dir, "bot.sqlite"), logger: createLogger({ level: "warn", destination: { write: () => true } as never }), rateLimitPerMinute: 10_000 });
  const bot = createBot(app.deps, { token: TOKEN, botInfo: tg.botInfo, client: { fetch: tg.fetch } });
  tg.deliver = (u) => bot.handleUpdate(u);
  const measure = async (users: number, updates: number, seed: number) => {
    const workload = buildWorkload(users, updates, seed);
    const people = simulatedUsers(tg, workload);
    const guided: number[] = [];
    const other: number[] = [];
    for (let i = 0; i < people.length; i++) {
      for (const step of workload.users[i]!.steps) {
        const t0 = performance.now();
        await play(people[i]!, step);
        (step.kind === "press" && /^g:[a-z]+:[a-z]+$/.test(step.data) ? guided : other).push(performance.now() - t0);
      }
    }
    return { guided: guided.sort((a, b) => a - b), other: other.sort((a, b) => a - b) };
  };
  await measure(50, 2000, 3);
  const { guided, other } = await measure(100, 5000, 4);
  await app.close();
  remove();
  const at = (list: number[], p: number) => list[Math.floor(p * (list.length - 1))]!.toFixed(2);
  return `guided steps (${guided.length}): p50 ${at(guided, 0.5)} ms, p99 ${at(guided, 0.99)} ms; other updates (${other.length}): p50 ${at(other, 0.5)} ms, p99 ${at(other, 0.99)} ms`;
}

function machine(): string {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  const placement = canPin ? `bot processes pinned to core 0${HELPERS_ELSEWHERE ? " (their threads but the main one moved to core 1 after the warm-up)" : ""}; stand-in, PostgreSQL and this script to core 1` : "not pinned (taskset missing or one core)";
  return `${cpu}, ${cpus().length} cores (${placement}), Node ${process.version}, ${process.platform}/${process.arch}`;
}

const USAGE = `npm run bench [-- options]: the built bot against bare grammY and grammY with durable sessions, over HTTP (run npm run build first)

  --quick                 shorter runs (3,000 updates; 600 at 200/s)
  --rounds N              every configuration N times, figures the medians
  --updates N, --rate-updates N, --slow-updates N, --sweep-rows N   sizes of the phases
  --before <dir>          another build of the bot (<dir>/dist/src/main.js) in the same rounds
  --one <full|before|bare|durable>:<polling|webhook>:<users>[:node-flag…]   one configuration, as JSON
  --postgres              with --one: on a PostgreSQL cluster of its own
  --tail                  where the slow answers at 200 updates/s come from (SQLite)
  --postgres-only         only the PostgreSQL table
  --extra                 also V8 flags and the sweep of expired chats
  --helpers-elsewhere     each bot's threads but the main one on the other core
  --help                  this text

  BENCH_DEBUG=1           also the bot's log, latency by kind of step, and the Bot API calls made
  DATABASE_POOL_SIZE=N    the bots' pool size on PostgreSQL`;

/** Options that take a value: a count, or (--before, --one) a folder or a configuration. */
const COUNT_OPTIONS = ["--updates", "--rate-updates", "--sweep-rows", "--rounds", "--slow-updates"];
const VALUE_OPTIONS = [...COUNT_OPTIONS, "--before", "--one"];
const FLAGS = ["--quick", "--postgres-only", "--extra", "--postgres", "--tail", "--helpers-elsewhere"];

/** A mistyped option is said in one line before anything starts; --help prints the options. */
function checkArguments(): void {
  const refuse = (message: string): never => {
    console.error(`npm run bench: ${message}`);
    process.exit(2);
  };
  const args = process.argv.slice(2);
  if (args.includes("--help") || args.includes("-h")) {
    console.log(USAGE);
    process.exit(0);
  }
  for (let i = 0; i < args.length; i++) {
    const option = args[i]!;
    if (VALUE_OPTIONS.includes(option)) {
      const value = args[++i];
      if (value === undefined || value.startsWith("--")) refuse(`${option} needs a value; npm run bench -- --help lists the options`);
      if (COUNT_OPTIONS.includes(option) && !/^[1-9][0-9]*$/.test(value!)) refuse(`${option} ${value}: a whole number above 0, please`);
    } else if (!FLAGS.includes(option)) refuse(`unknown option ${JSON.stringify(option)}; npm run bench -- --help lists them`);
  }
  if (BEFORE !== undefined && !existsSync(join(BEFORE, "dist/src/main.js"))) refuse(`--before ${BEFORE}: there is no dist/src/main.js there (build that checkout first: npm run build)`);
  const one = process.argv.indexOf("--one");
  if (one >= 0) {
    const [kind, mode, users] = (process.argv[one + 1] ?? "").split(":");
    const usage = "--one <full|before|bare|durable>:<polling|webhook>:<users>[:node-flag…], e.g. --one full:polling:100";
    if (!Object.hasOwn(KIND_NAMES, kind ?? "") || !["polling", "webhook"].includes(mode ?? "") || !/^[1-9][0-9]*$/.test(users ?? "")) refuse(usage);
    if (kind === "before" && BEFORE === undefined) refuse("--one before:… needs --before <dir>, another build of the bot");
    if (kind === "bare" && process.argv.includes("--postgres")) refuse("--one bare:… keeps its sessions in memory; --postgres is for the others");
    if (process.argv.includes("--postgres") && postgresBin() === undefined) refuse("--postgres: PostgreSQL is not installed (apt-get install postgresql)");
    if (process.argv.includes("--postgres") && process.argv.includes("--tail")) refuse("--one … --tail runs on SQLite only; leave out --postgres");
  }
}

/**
 * The benchmark runs in a child process (on core 1 when it can pin) inside a run folder of its
 * own, `asylum-bench-run-*` in the system's temp folder, as the test suite does
 * (tools/suite-run.ts): every temporary folder and PostgreSQL cluster of the run is in it, and
 * every process it starts carries its marker. However the child ends (finished, interrupted, its
 * output closed, killed), this process stops what is left and removes the folder; if this one is
 * killed too, the run's watchdog does, within about a second. Returns the child's exit code.
 */
async function supervise(): Promise<number> {
  for (const dir of cleanUpEarlierRuns(BENCH_RUN_PREFIX)) console.error(`npm run bench: cleaned up after an earlier run that was killed: ${dir}`);
  const root = mkdtempSync(join(tmpdir(), BENCH_RUN_PREFIX));
  // PostgreSQL runs as its own user (when root) in a folder inside: it must be able to pass through.
  chmodSync(root, 0o711);
  // This process alone: the processes above it may be anything (a test's worker), and are not the run's to end.
  writeOwner(root, [process.pid]);
  startWatchdog(root, fileURLToPath(new URL("../tools/suite-run.js", import.meta.url)));
  const [command, args] = canPin ? ["taskset", ["-c", "1", process.execPath, ...process.execArgv, ...process.argv.slice(1)]] : [process.execPath, [...process.execArgv, ...process.argv.slice(1)]];
  const child = spawn(command, args as string[], { stdio: "inherit", env: { ...process.env, TMPDIR: root, [RUN_MARKER]: root, [BENCH_RUN]: root } });
  // Ctrl-C reaches both; a signal sent to this process alone is passed on.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => child.kill(signal));
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once("exit", (c, s) => resolve([c, s])));
  endRun(root);
  if (signal === null) return code ?? 1;
  console.error(`npm run bench: the run ended by ${signal}; what it had started is stopped and its folders removed`);
  return 128 + (osConstants.signals[signal] ?? 0);
}

async function main(): Promise<void> {
  checkArguments();
  if (process.env[BENCH_RUN] === undefined) process.exit(await supervise());
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      for (const fn of undo) fn();
      process.exit(130);
    });
  }
  // Output piped into a reader that stopped reading (| head): the run is of no use any more.
  process.stdout.on("error", () => {
    for (const fn of undo) fn();
    process.exit(141);
  });
  const one = process.argv.indexOf("--one");
  if (one >= 0) {
    // One run, as JSON, for looking into a figure: --one full:polling:100
    const [kind, mode, users, ...nodeFlags] = process.argv[one + 1]!.split(":");
    const scenario: Scenario = { kind: kind as Kind, mode: mode as Mode, users: Number(users), nodeFlags, ...(process.argv.includes("--tail") ? { tail: true } : {}) };
    if (!process.argv.includes("--postgres")) {
      const row = await run(scenario);
      if (row.tail !== undefined) {
        // The tail's line, for comparing V8 flags, without the per-answer samples.
        delete row.rate.samples;
        console.log(tailTable([row]));
        console.log(stealLine([row]));
      }
      console.log(JSON.stringify(row, null, 1));
      return;
    }
    const cluster = await startCluster(postgresBin()!, { durable: true });
    addClusterToOwner(process.env[BENCH_RUN]!, { bin: postgresBin()!, dir: cluster.dir });
    onInterrupt(() => cluster.stop());
    try {
      console.log(JSON.stringify(await run({ ...scenario, postgres: { cluster: cluster.url, replicas: 1 } }), null, 1));
    } finally {
      cluster.stop();
    }
    return;
  }
  console.log(`Machine: ${machine()}`);
  if (process.argv.includes("--tail")) {
    // Where the slow answers at 200 updates/s come from: each bot with the probe, polling, 100 users.
    const tailKinds: Kind[] = ["full", ...(BEFORE === undefined ? [] : (["before"] as const)), "bare", "durable"];
    const rows = (await inRounds(tailKinds.map((kind): Scenario => ({ kind, mode: "polling", users: 100, tail: true })))).flat();
    console.log(`The fixed-rate phase (${RATE_UPDATES} updates at ${RATE}/s, polling, 100 users), each run apart; the bot process carries bench/tail-probe.ts (a 1 ms timer), so its figures are not the main table's:\n`);
    console.log(tailTable(rows));
    console.log(`\n${stealLine(rows)}`);
    return;
  }
  const kinds: Kind[] = ["full", ...(BEFORE === undefined ? [] : (["before"] as const)), "bare", "durable"];
  if (!POSTGRES_ONLY) {
    console.log(
      `Load: ${UPDATES} updates per run (start, menus, topics, guided conversations, inline queries, typed text, handoffs) with ${CONCURRENCY} users in flight; latency with ${RATE_UPDATES} updates at ${RATE}/s; ${ROUNDS} round(s), figures are medians\n`,
    );
    const configs = (["polling", "webhook"] as const).flatMap((mode) => [100, 1000].flatMap((users) => kinds.map((kind): Scenario => ({ kind, mode, users }))));
    const rounds = await inRounds(configs);
    const rows = rounds.map(median);
    console.log(table(rows));
    console.log(`\n${stealLine(rounds.flat())}`);
    console.log(`\nWith a Bot API answering every call in ${SLOW_API_MS} ms (polling, SQLite):`);
    console.log(slowTable(rows));
    const ratios = (of: Kind, to: Kind) => {
      for (const mode of ["polling", "webhook"] as const) {
        for (const users of [100, 1000]) {
          const pick = (kind: Kind) => rounds.find((g) => g[0]!.scenario.kind === kind && g[0]!.scenario.mode === mode && g[0]!.scenario.users === users)!;
          const a = pick(of);
          const b = pick(to);
          const each = a.map((r, i) => r.perSecond / b[i]!.perSecond).sort((x, y) => x - y);
          const range = each.length > 1 ? ` (rounds ${each[0]!.toFixed(2)}-${each.at(-1)!.toFixed(2)})` : "";
          const m = median(a);
          const n = median(b);
          console.log(`  ${mode}, ${users} users: throughput ${(m.perSecond / n.perSecond).toFixed(2)}×${range}, CPU per update ${(m.cpuUsPerUpdate / n.cpuUsPerUpdate).toFixed(2)}×, peak RSS ${(m.peakRssMb / n.peakRssMb).toFixed(2)}×`);
        }
      }
    };
    console.log("\nfull / bare:");
    ratios("full", "bare");
    console.log("\nfull / grammY with durable sessions:");
    ratios("full", "durable");
    if (BEFORE !== undefined) {
      console.log("\nfull / before:");
      ratios("full", "before");
    }
    console.log(`\nstart-up, launch to ready (full bot, SQLite): ${Math.round(rows[0]!.startupMs)} ms`);
    console.log(`in process, one update at a time, no network (full bot, SQLite): ${await inProcess()}`);

    if (process.argv.includes("--extra")) {
      const flags = [["--max-semi-space-size=16"], ["--max-semi-space-size=32"]];
      const v8 = [rows.find((r) => r.scenario.kind === "full" && r.scenario.mode === "polling" && r.scenario.users === 1000)!];
      for (const nodeFlags of flags) v8.push(await run({ kind: "full", mode: "polling", users: 1000, nodeFlags }));
      console.log("\nV8 young generation (full bot, polling, 1,000 users):");
      console.log(table(v8));
    }
  }

  const bin = postgresBin();
  let cluster: Cluster | undefined;
  if (bin === undefined) console.log("\nPostgreSQL: not installed (apt-get install postgresql); skipped");
  else {
    cluster = await startCluster(bin, { durable: true });
    addClusterToOwner(process.env[BENCH_RUN]!, { bin, dir: cluster.dir });
    const running = cluster;
    onInterrupt(() => running.stop());
    try {
      const on = (replicas: number) => ({ cluster: running.url, replicas });
      const pgConfigs: Scenario[] = [
        ...kinds.filter((k) => k !== "bare").map((kind): Scenario => ({ kind, mode: "webhook", users: 1000, postgres: on(1) })),
        { kind: "full", mode: "webhook", users: 1000, postgres: on(3) },
        ...kinds.filter((k) => k !== "bare").map((kind): Scenario => ({ kind, mode: "polling", users: 1000, postgres: on(1) })),
      ];
      const pgRounds = await inRounds(pgConfigs);
      const pgRows = pgRounds.map(median);
      console.log("\nPostgreSQL (1,000 users; CPU and RSS of the bot processes, summed and largest; PostgreSQL's own CPU apart; fsync on):");
      console.log(table(pgRows));
      console.log(`\n${stealLine(pgRounds.flat())}`);
    } catch (error) {
      cluster.stop();
      throw error;
    }
  }

  if (process.argv.includes("--extra")) {
    console.log(`\nSweep of ${SWEEP_ROWS.toLocaleString("en")} expired chats:`);
    console.log("| engine | how | longest event-loop stall ms | total s |\n|---|---|---|---|");
    for (const line of await sweeps(cluster?.url)) console.log(line);
  }
  cluster?.stop();
}

/** Every configuration once per round, the rounds one after another, so that a noisy minute touches all of them alike; grouped by configuration. */
async function inRounds(configs: Scenario[]): Promise<Row[][]> {
  const groups: Row[][] = configs.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, s] of configs.entries()) {
      const row = await run(s);
      groups[i]!.push(row);
      if (process.env.BENCH_DEBUG !== undefined) console.error(JSON.stringify(row));
    }
  }
  return groups;
}

/** The median of each figure over the rounds (the peak RSS: the largest). */
function median(rows: Row[]): Row {
  // With an even number of rounds, the mean of the two middle ones: taking the lower one would
  // report the worse round's throughput beside the better round's latency.
  const mid = <T>(pick: (r: Row) => T, num: (v: T) => number): T => {
    const values = rows.map(pick);
    if (values.some((v) => typeof v !== "number" || Number.isNaN(v))) return values[0]!;
    const sorted = values.map(num).sort((a, b) => a - b);
    const half = sorted.length >> 1;
    return (sorted.length % 2 === 1 ? sorted[half]! : (sorted[half - 1]! + sorted[half]!) / 2) as T;
  };
  const lat = (pick: (r: Row) => Latencies): Latencies => ({
    ...pick(rows[0]!),
    p50: mid((r) => pick(r).p50, Number),
    p99: mid((r) => pick(r).p99, Number),
    guidedP50: mid((r) => pick(r).guidedP50, Number),
    fetchedPerUpdate: mid((r) => pick(r).fetchedPerUpdate, Number),
    unanswered: Math.max(...rows.map((r) => pick(r).unanswered)),
    rejected: Math.max(...rows.map((r) => pick(r).rejected)),
    seconds: mid((r) => pick(r).seconds, Number),
    updates: pick(rows[0]!).updates,
  });
  const slow = rows[0]!.slow === undefined ? undefined : { burst: lat((r) => r.slow!.burst), closed: lat((r) => r.slow!.closed) };
  return {
    scenario: rows[0]!.scenario,
    perSecond: mid((r) => r.perSecond, Number),
    cpuUsPerUpdate: mid((r) => r.cpuUsPerUpdate, Number),
    ...(rows[0]!.dbCpuUsPerUpdate === undefined ? {} : { dbCpuUsPerUpdate: mid((r) => r.dbCpuUsPerUpdate!, Number) }),
    closed: lat((r) => r.closed),
    rate: lat((r) => r.rate),
    peakRssMb: Math.max(...rows.map((r) => r.peakRssMb)),
    startupMs: mid((r) => r.startupMs, Number),
    ...(slow === undefined ? {} : { slow }),
  };
}

try {
  await main();
} catch (error) {
  // A bot that would not start, a stand-in that failed: one line, not a stack trace.
  console.error(`npm run bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
