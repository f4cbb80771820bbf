import type { MiddlewareFn } from "grammy";
import type { ChatRecords } from "../../storage/storage.js";
import type { BotContext } from "../context.js";

/** Counts a key's updates in the current minute; the count includes this one. */
export interface RateCounter {
  /** `records` are the update's own (its unit of work): a shared count is taken in the same transaction. */
  hit(key: string, records: ChatRecords | undefined): Promise<number>;
}

/** The rate limit's window: a minute. */
export const RATE_WINDOW_MS = 60_000;
const MEMORY_KEYS = 50_000;
/** A dropped press is answered within this, or not at all: its spinner stops by itself later. */
const DROP_ANSWER_MS = 5_000;

/** One process's counts, for SQLite deployments (one process per database). */
export function memoryRateCounter(now: () => number): RateCounter {
  const windows = new Map<string, { start: number; n: number }>();
  return {
    async hit(key) {
      const start = Math.floor(now() / RATE_WINDOW_MS) * RATE_WINDOW_MS;
      const w = windows.get(key);
      if (w !== undefined && w.start === start) return ++w.n;
      if (windows.size >= MEMORY_KEYS) windows.clear();
      windows.set(key, { start, n: 1 });
      return 1;
    },
  };
}

/**
 * The counts shared by every replica, in the database: inside the update's own transaction, so
 * counting costs no connection of its own and waits for no other.
 */
export function sharedRateCounter(storage: { countHit(key: string, windowMs: number): Promise<number> }): RateCounter {
  return { hit: (key, records) => (records !== undefined ? records.countHit(RATE_WINDOW_MS) : storage.countHit(key, RATE_WINDOW_MS)) };
}

export interface ChatQueueOptions {
  /** How many of one chat's updates may wait behind the one being handled. */
  queue: number;
  /**
   * How many of those may be button presses. A press waiting its turn holds back the chat's
   * later updates, so a chat tapping faster than the bot answers keeps at most this many; the
   * rest are answered at once (the spinner stops) and dropped.
   */
  pressQueue: number;
  anonymize: (id: number) => string;
  /** Told of every update dropped, and why. */
  onDrop?: (reason: "queue") => void;
  /** A dropped press could not be answered (the user blocked the bot, Telegram is unreachable). */
  onAnswerFailed?: (error: unknown) => void;
  /** Shutdown: updates still waiting their turn give up, unhandled, and are handled after the restart. */
  stopping?: AbortSignal;
}

/** An update that was waiting its turn when the bot began to stop; it is not handled here. */
export class Abandoned extends Error {
  constructor() {
    super("the bot is stopping; the update was not handled");
    this.name = "AbortError";
  }
}

/**
 * One chat's updates are handled one after another, in the order they arrive, so its records are
 * never read and written by two at once and its answers come in the order it asked. An update
 * joins its chat's queue synchronously, before anything is awaited: grammY runs middleware
 * synchronously up to the first await, so updates handed to `handleUpdate` in order queue in
 * order (the rate count, storage and everything else come after, in the update's turn). When the
 * chat already has `queue` updates (or `pressQueue` presses) waiting, a new one is dropped; a
 * dropped press is still answered, with one Bot API call and no text.
 */
export function chatQueue(options: ChatQueueOptions): MiddlewareFn<BotContext> {
  /** Per chat: the last update's promise, how many joined and are not finished, and how many presses wait. */
  const chats = new Map<string, { tail: Promise<void>; active: number; pressesWaiting: number }>();
  return (ctx, next) => {
    const id = ctx.chat?.id ?? ctx.from?.id;
    if (id === undefined) return next();
    const key = ctx.anonKey ?? options.anonymize(id);
    let chat = chats.get(key);
    if (chat === undefined) chats.set(key, (chat = { tail: Promise.resolve(), active: 0, pressesWaiting: 0 }));
    const press = ctx.callbackQuery !== undefined;
    // The first of `active` is being handled; the rest wait.
    const waits = chat.active > 0;
    if (waits && (chat.active - 1 >= options.queue || (press && chat.pressesWaiting >= options.pressQueue))) {
      options.onDrop?.("queue");
      return press ? answerDropped(ctx, undefined, options.onAnswerFailed) : Promise.resolve();
    }
    chat.active++;
    const waitingPress = waits && press;
    if (waitingPress) chat.pressesWaiting++;
    const previous = chat.tail;
    let done!: () => void;
    chat.tail = new Promise<void>((resolve) => (done = resolve));
    const entry = chat;
    return (async () => {
      try {
        await previous;
        if (waitingPress) entry.pressesWaiting--;
        if (options.stopping?.aborted === true) throw new Abandoned();
        await next();
      } finally {
        done();
        if (--entry.active === 0) chats.delete(key);
      }
    })();
  };
}

export interface RateLimitOptions {
  counter: RateCounter;
  perMinute: number;
  anonymize: (id: number) => string;
  onDrop?: (reason: "rate") => void;
  onAnswerFailed?: (error: unknown) => void;
}

/**
 * A chat's rate, checked in its turn, inside its unit of work. Past the limit a press is answered
 * "you're going a little fast" (one call each); a message gets that notice once, then silence
 * until the minute is over, with no Bot API call. Either way nothing else runs.
 */
export function rateLimit(options: RateLimitOptions): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const id = ctx.chat?.id ?? ctx.from?.id;
    if (id === undefined) return next();
    const n = await options.counter.hit(ctx.anonKey ?? options.anonymize(id), ctx.records);
    if (n <= options.perMinute) return next();
    options.onDrop?.("rate");
    const text = ctx.t("unknown.rateLimited");
    if (ctx.callbackQuery !== undefined) return answerDropped(ctx, text, options.onAnswerFailed);
    if (n === options.perMinute + 1 && ctx.chat?.type === "private" && ctx.message !== undefined) {
      await ctx.reply(text).catch((error: unknown) => options.onAnswerFailed?.(error));
    }
  };
}

/** Stops a dropped press's spinner: one call, with its own deadline, whose failure changes nothing. */
async function answerDropped(ctx: BotContext, text: string | undefined, onFailed: ((error: unknown) => void) | undefined): Promise<void> {
  try {
    await ctx.answerCallbackQuery(text === undefined ? undefined : { text }, AbortSignal.timeout(DROP_ANSWER_MS) as never);
  } catch (error) {
    onFailed?.(error);
  }
}
