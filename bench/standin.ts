/**
 * The benchmark's Telegram: the local Bot API over HTTP and the simulated users, in a process of
 * their own (on a core of their own), so that the bot under test pays only for itself. The parent
 * (bench.ts) drives it over IPC:
 *
 *   → { type: "start", token, webhookTargets? }        ← { type: "ready", apiRoot }
 *   → { type: "closed", users, updates, seed, concurrency }   every user waits for each answer
 *   → { type: "rate", users, updates, seed, perSecond }       arrivals at a fixed rate
 *                                                       ← { type: "result", … }
 *
 * An update counts as answered at the bot's reply to it: answerCallbackQuery for a press (both
 * bots answer after the screen has changed), answerInlineQuery for a search, the first
 * sendMessage or sendDocument for a message.
 */
import type { Update } from "grammy/types";
import { Agent, request } from "node:http";
import { LocalTelegram } from "../tools/local-telegram/emulator.js";
import { LocalTelegramServer } from "../tools/local-telegram/http-server.js";
import { SimulatedUser } from "../tools/local-telegram/user.js";
import { buildWorkload, play, simulatedUsers, type Step } from "../tools/workload.js";

export interface Latencies {
  updates: number;
  seconds: number;
  p50: number;
  p99: number;
  max: number;
  /** p50 of the guided conversation's answers (g:<question>:<answer> presses). */
  guidedP50: number;
  unanswered: number;
  rejected: number;
  /** Updates handed out by getUpdates per update sent: 1 when none was fetched twice (polling only). */
  fetchedPerUpdate: number;
  /** With `samples` (--tail): each update's send time (wall clock, ms) and its latency (ms; -1 unanswered). */
  samples?: [number, number][];
}

export type Command =
  | { type: "start"; token: string; webhookTargets?: string[] }
  | { type: "closed"; users: number; updates: number; seed: number; concurrency: number; firstId: number; delayMs?: number }
  | { type: "rate"; users: number; updates: number; seed: number; perSecond: number; firstId: number; samples?: boolean }
  | { type: "burst"; chats: number; commands: string[]; delayMs: number; firstId: number };

/** A reply that never comes (a bug, or an update the bot drops) must not hang the benchmark. */
const GIVE_UP_MS = 10_000;

let tg: LocalTelegram;
let server: LocalTelegramServer;
const waiting = new Map<string, () => void>();

function waitKey(update: Update): string {
  if (update.callback_query !== undefined) return `q:${update.callback_query.id}`;
  if (update.inline_query !== undefined) return `q:${update.inline_query.id}`;
  return `c:${update.message?.chat.id ?? 0}`;
}

const callCounts = new Map<string, number>();

function onCall(method: string, params: Record<string, unknown>): void {
  if (process.env.BENCH_DEBUG !== undefined) callCounts.set(method, (callCounts.get(method) ?? 0) + 1);
  let key: string | undefined;
  if (method === "answerCallbackQuery") key = `q:${String(params.callback_query_id)}`;
  else if (method === "answerInlineQuery") key = `q:${String(params.inline_query_id)}`;
  else if (method === "sendMessage" || method === "sendDocument") key = `c:${String(params.chat_id)}`;
  if (key === undefined) return;
  const done = waiting.get(key);
  if (done !== undefined) {
    waiting.delete(key);
    done();
  }
}

async function start(command: Extract<Command, { type: "start" }>): Promise<string> {
  tg = new LocalTelegram({ callLogLimit: 0 });
  tg.onCall = onCall;
  server = new LocalTelegramServer(tg, { token: command.token });
  const targets = command.webhookTargets;
  if (targets !== undefined) {
    const agent = new Agent({ keepAlive: true, maxSockets: 256 });
    let next = 0;
    // Telegram posts each update to the webhook; behind a load balancer, replicas take turns.
    // An update refused (503 above the in-flight cap) or not answered is posted again, as Telegram does.
    const deliver = (update: Update) =>
      new Promise<number>((resolve) => {
        const hook = tg.webhook!;
        const target = new URL(new URL(hook.url).pathname, targets[next++ % targets.length]);
        const body = JSON.stringify(update);
        const req = request(target, { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), "x-telegram-bot-api-secret-token": hook.secret_token ?? "" } }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        });
        req.on("error", () => resolve(0));
        req.end(body);
      });
    tg.webhookDelivery = async (update) => {
      for (let attempt = 0; ; attempt++) {
        const status = await deliver(update);
        if (status === 200 || attempt >= 20) return status;
        await new Promise((r) => setTimeout(r, 50));
      }
    };
  }
  return server.listen();
}

/** Plays one step and resolves with its latency in ms, or -1 when no answer came. */
function timedStep(user: SimulatedUser, step: Step): Promise<number> {
  let pushed: Update | undefined;
  const push = tg.push;
  tg.push = (update) => {
    pushed = update;
    return push.call(tg, update);
  };
  const t0 = performance.now();
  // Every step pushes its update synchronously, before play() first awaits.
  void play(user, step);
  tg.push = push;
  const key = waitKey(pushed!);
  return new Promise<number>((resolve) => {
    const timer = setTimeout(() => {
      waiting.delete(key);
      resolve(-1);
    }, GIVE_UP_MS);
    waiting.set(key, () => {
      clearTimeout(timer);
      resolve(performance.now() - t0);
    });
  });
}

function summarise(latencies: number[], guided: number[], seconds: number, handedOutBefore: number): Latencies {
  const answered = latencies.filter((l) => l >= 0).sort((a, b) => a - b);
  const g = guided.filter((l) => l >= 0).sort((a, b) => a - b);
  const at = (list: number[], p: number) => list[Math.min(list.length - 1, Math.floor(p * list.length))] ?? NaN;
  return {
    updates: latencies.length,
    seconds,
    p50: at(answered, 0.5),
    p99: at(answered, 0.99),
    max: answered.at(-1) ?? NaN,
    guidedP50: at(g, 0.5),
    unanswered: latencies.length - answered.length,
    rejected: tg.rejected.length,
    fetchedPerUpdate: (tg.handedOut - handedOutBefore) / latencies.length,
  };
}

/** Every method but getUpdates answers after `ms`: a slow Bot API (or none, for 0). */
function slowApi(ms: number): void {
  tg.delays.clear();
  if (ms > 0) {
    tg.delays.set("*", ms);
    tg.delays.set("getUpdates", 0);
  }
}

/**
 * `chats` chats each send `commands`, all at once, to a Bot API answering in `delayMs`; done when
 * every chat has as many replies as it sent commands. Measures how often getUpdates handed each
 * update out, and how long the whole took.
 */
async function burst(c: Extract<Command, { type: "burst" }>): Promise<Latencies> {
  slowApi(c.delayMs);
  const before = tg.handedOut;
  const users = Array.from({ length: c.chats }, (_, i) => new SimulatedUser(tg, { id: c.firstId + i, first_name: "Bench", language_code: "en" }));
  const replies = new Map<number, number>();
  const started = performance.now();
  const latencies: number[] = [];
  const done = new Promise<void>((resolve) => {
    const target = c.chats * c.commands.length;
    const previous = tg.onCall;
    tg.onCall = (method, params) => {
      previous?.(method, params);
      if (method !== "sendMessage") return;
      const chat = Number(params.chat_id);
      if (chat < c.firstId || chat >= c.firstId + c.chats) return;
      replies.set(chat, (replies.get(chat) ?? 0) + 1);
      latencies.push(performance.now() - started);
      if (latencies.length === target) {
        tg.onCall = previous;
        resolve();
      }
    };
  });
  for (const u of users) for (const command of c.commands) void u.send(command);
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, 60_000));
  await Promise.race([done, timeout]);
  const seconds = (performance.now() - started) / 1000;
  slowApi(0);
  const sent = c.chats * c.commands.length;
  const result = summarise(latencies, [], seconds, before);
  return { ...result, updates: sent, unanswered: sent - latencies.length, fetchedPerUpdate: (tg.handedOut - before) / sent };
}

/** `stride` spreads the users over a larger population's ids, so they find the sessions it left. */
function workloadFor(users: number, updates: number, seed: number, firstId: number, stride = 1) {
  const workload = buildWorkload(users, updates, seed);
  workload.users.forEach((u, i) => (u.profile.id = firstId + i * stride));
  return { workload, users: simulatedUsers(tg, workload) };
}

const kinds = new Map<string, number[]>();
function byKind(step: Step, ms: number, prefix = ""): void {
  const k = prefix + (step.kind === "press" ? `press ${step.data.split(":")[0]}` : step.kind === "text" ? `text ${step.text.startsWith("/") ? step.text : "typed"}` : "inline");
  kinds.set(k, [...(kinds.get(k) ?? []), ms]);
}
process.on("exit", () => {
  if (process.env.BENCH_DEBUG !== undefined) console.error("calls", JSON.stringify(Object.fromEntries(callCounts)));
  for (const [k, list] of kinds) {
    list.sort((a, b) => a - b);
    console.error(k, list.length, "p50", list[Math.floor(list.length / 2)]?.toFixed(1), "p99", list[Math.floor(list.length * 0.99)]?.toFixed(1));
  }
});

const isGuided = (step: Step) => step.kind === "press" && /^g:[a-z]+:[a-z]+$/.test(step.data);

/** `concurrency` users at a time, each sending its next update as soon as the last was answered. */
async function closedLoop(c: Extract<Command, { type: "closed" }>): Promise<Latencies> {
  const { workload, users } = workloadFor(c.users, c.updates, c.seed, c.firstId);
  const latencies: number[] = [];
  const guided: number[] = [];
  let next = 0;
  slowApi(c.delayMs ?? 0);
  const before = tg.handedOut;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: c.concurrency }, async () => {
      while (next < users.length) {
        const i = next++;
        for (const step of workload.users[i]!.steps) {
          const ms = await timedStep(users[i]!, step);
          if (process.env.BENCH_DEBUG !== undefined) byKind(step, ms);
          latencies.push(ms);
          if (isGuided(step)) guided.push(ms);
        }
      }
    }),
  );
  slowApi(0);
  return summarise(latencies, guided, (performance.now() - started) / 1000, before);
}

/**
 * Updates arrive at a fixed rate, each from the next user who is not waiting for an answer. At
 * most 100 people are active at once, spread over all the users' ids (and their stored sessions),
 * so that each goes through whole scripts (guided conversations included) within the run.
 */
async function fixedRate(c: Extract<Command, { type: "rate" }>): Promise<Latencies> {
  const active = Math.min(c.users, 100);
  const { workload, users } = workloadFor(active, c.updates, c.seed, c.firstId, Math.floor(c.users / active));
  const cursor = workload.users.map(() => 0);
  const busy = new Set<number>();
  const latencies: number[] = [];
  const guided: number[] = [];
  const samples: [number, number][] | undefined = c.samples === true ? [] : undefined;
  const inFlight: Promise<void>[] = [];
  const interval = 1000 / c.perSecond;
  const before = tg.handedOut;
  const started = performance.now();
  let sent = 0;
  let who = 0;
  while (sent < c.updates) {
    const due = started + sent * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    let tries = 0;
    while ((busy.has(who) || cursor[who]! >= workload.users[who]!.steps.length) && tries++ < users.length) who = (who + 1) % users.length;
    if (tries >= users.length) {
      await new Promise((r) => setTimeout(r, 1));
      if (cursor.every((n, i) => n >= workload.users[i]!.steps.length)) break;
      continue;
    }
    const i = who;
    const step = workload.users[i]!.steps[cursor[i]!++]!;
    busy.add(i);
    sent++;
    const sentAt = performance.timeOrigin + performance.now();
    inFlight.push(
      timedStep(users[i]!, step).then((ms) => {
        if (process.env.BENCH_DEBUG !== undefined) byKind(step, ms, "at a fixed rate: ");
        busy.delete(i);
        latencies.push(ms);
        samples?.push([sentAt, ms]);
        if (isGuided(step)) guided.push(ms);
      }),
    );
    who = (who + 1) % users.length;
  }
  await Promise.all(inFlight);
  return { ...summarise(latencies, guided, (performance.now() - started) / 1000, before), ...(samples === undefined ? {} : { samples }) };
}

process.on("message", (command: Command) => {
  const reply = (message: unknown) => process.send!(message);
  const work =
    command.type === "start"
      ? start(command).then((apiRoot) => ({ type: "ready", apiRoot }))
      : (command.type === "closed" ? closedLoop(command) : command.type === "burst" ? burst(command) : fixedRate(command)).then((result) => ({ type: "result", ...result }));
  work.then(reply, (error: unknown) => reply({ type: "error", message: String((error as Error)?.stack ?? error) }));
});
process.on("disconnect", () => process.exit(0));
process.on("SIGTERM", () => process.exit(0));
