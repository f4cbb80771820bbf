import type { MiddlewareFn } from "grammy";
import type { BotContext } from "../context.js";

/** Counts a key's updates in the current minute; the count includes this one. */
export interface RateCounter {
  hit(key: string): Promise<number>;
}

const MINUTE = 60_000;
const MEMORY_KEYS = 50_000;

/** One process's counts, for SQLite deployments (one process per database). */
export function memoryRateCounter(now: () => number): RateCounter {
  const windows = new Map<string, { start: number; n: number }>();
  return {
    async hit(key) {
      const start = Math.floor(now() / MINUTE) * MINUTE;
      const w = windows.get(key);
      if (w !== undefined && w.start === start) return ++w.n;
      if (windows.size >= MEMORY_KEYS) windows.clear();
      windows.set(key, { start, n: 1 });
      return 1;
    },
  };
}

/** The counts shared by every replica, in the database. */
export function sharedRateCounter(storage: { countHit(key: string, windowMs: number): Promise<number> }): RateCounter {
  return { hit: (key) => storage.countHit(key, MINUTE) };
}

export interface ChatLimitsOptions {
  counter: RateCounter;
  perMinute: number;
  /** How many of one chat's updates may wait behind the one being handled. */
  queue: number;
  /**
   * How many of those may be button presses. A press waiting its turn holds back every update
   * Telegram has after it (polling confirms nothing past an update not yet handled), so a chat
   * tapping faster than the bot answers keeps at most this many; the rest are dropped at once.
   */
  pressQueue: number;
  anonymize: (id: number) => string;
  /** Told of every update dropped, and why. */
  onDrop?: (reason: "rate" | "queue") => void;
}

/**
 * One chat's updates are handled one after another, in order, so its records are never read and
 * written by two at once. Before an update waits its turn, the chat's rate is checked: past the
 * limit it gets one polite notice, then silence until the minute is over, with no Bot API call;
 * and when the chat already has `queue` updates (or `pressQueue` presses) waiting, a new one is
 * dropped. A flood from one chat therefore queues almost nothing and costs nothing, and everyone
 * else's updates go on.
 */
export function chatLimits(options: ChatLimitsOptions): MiddlewareFn<BotContext> {
  const chats = new Map<string, { tail: Promise<void>; waiting: number; presses: number }>();
  return async (ctx, next) => {
    const id = ctx.chat?.id ?? ctx.from?.id;
    if (id === undefined) return next();
    const key = ctx.anonKey ?? options.anonymize(id);
    const n = await options.counter.hit(key);
    if (n > options.perMinute) {
      options.onDrop?.("rate");
      if (n === options.perMinute + 1) await notice(ctx);
      return;
    }
    let chat = chats.get(key);
    if (chat === undefined) chats.set(key, (chat = { tail: Promise.resolve(), waiting: 0, presses: 0 }));
    const press = ctx.callbackQuery !== undefined;
    if (chat.waiting >= options.queue || (press && chat.presses >= options.pressQueue)) {
      options.onDrop?.("queue");
      return;
    }
    chat.waiting++;
    if (press) chat.presses++;
    const previous = chat.tail;
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    chat.tail = mine;
    try {
      await previous;
      chat.waiting--;
      if (press) chat.presses--;
      await next();
    } finally {
      done();
      if (chat.tail === mine && chat.waiting === 0) chats.delete(key);
    }
  };
}

async function notice(ctx: BotContext): Promise<void> {
  const text = ctx.t("unknown.rateLimited");
  if (ctx.callbackQuery !== undefined) await ctx.answerCallbackQuery({ text });
  else if (ctx.chat?.type === "private" && ctx.message !== undefined) await ctx.reply(text);
}
