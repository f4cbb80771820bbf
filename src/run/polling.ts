import { type Bot, GrammyError, HttpError } from "grammy";
import type { Update } from "grammy/types";
import type { BotContext } from "../bot/context.js";
import type { Logger } from "../logger.js";
import { describeError } from "../privacy/describe-error.js";
import { ALLOWED_UPDATES } from "./updates.js";

export interface PollingOptions {
  logger: Logger;
  /** Seconds Telegram may hold a getUpdates call open. */
  pollTimeoutSeconds: number;
  /** Updates handled at once; a chat's own updates still go one at a time. */
  concurrency?: number;
  /** A problem polling cannot get past (the token was revoked): the process should stop. */
  onFatal(message: string): void;
}

export interface Polling {
  /** Stops fetching, lets handled updates finish, and confirms them to Telegram. */
  stop(): Promise<void>;
}

/** Back-off between failed polls: from half a second, doubling, to at most five, so the bot hears again soon after an outage. */
const MAX_BACKOFF_MS = 5_000;
/** While updates are being handled, polls are this far apart at first, twice as far after each that brought nothing new, up to the most. */
const REPOLL_MIN_MS = 50;
const REPOLL_MAX_MS = 1_000;
/** A failed update (its commit did not go through) is fetched and tried again after this long. */
const RETRY_FAILED_MS = 2_000;

/**
 * Long polling that never confirms what is not done. Telegram forgets every update below the
 * offset of the next getUpdates call, so the offset is the lowest update still being handled (or
 * the one after the last seen when none is). Updates above it that are already done come back
 * with the next batch and are skipped; after a crash they come back too, and the storage's
 * handled marks skip them (storage.ts). The price: getUpdates shows at most 100 updates from the
 * offset, so an update that takes long holds back new ones once 100 have piled up behind it;
 * every Bot API call has a deadline (telegram/client.ts), which bounds that wait. Malformed
 * answers, 409 and network faults are logged and retried with a capped back-off; 401 ends the
 * process with one clear line.
 */
export async function startPolling(bot: Bot<BotContext>, options: PollingOptions): Promise<Polling> {
  const { logger } = options;
  // At most one window of getUpdates: more in flight and the window would never show anything new.
  const concurrency = Math.min(100, options.concurrency ?? 100);
  const inFlight = new Map<number, Promise<void>>();
  /** Done, but not yet below the offset Telegram was given. */
  const done = new Set<number>();
  /** Failed, with when to try again. */
  const failed = new Map<number, number>();
  let nextAfterSeen = 0;
  let stopping = false;
  let abort = new AbortController();
  let changed: () => void = () => undefined;
  /** Waits until an update being handled finishes, `ms` pass, or polling stops. */
  const waitForChange = (ms: number) =>
    new Promise<void>((resolve) => {
      const signal = abort.signal;
      const timer = ms === Infinity ? undefined : setTimeout(finish, ms);
      function finish() {
        clearTimeout(timer);
        signal.removeEventListener("abort", finish);
        changed = () => undefined;
        resolve();
      }
      changed = finish;
      signal.addEventListener("abort", finish);
    });

  /** The offset to ask with: the lowest update not yet done, or the one after the last seen. */
  const offset = () => {
    let lowest = nextAfterSeen;
    for (const id of inFlight.keys()) lowest = Math.min(lowest, id);
    for (const id of failed.keys()) lowest = Math.min(lowest, id);
    for (const id of done) if (id < lowest) done.delete(id);
    return lowest;
  };

  const handle = (update: Update) => {
    const id = update.update_id;
    failed.delete(id);
    const task = bot
      .handleUpdate(update)
      .then(
        () => void done.add(id),
        (error: unknown) => {
          // The error boundary answers for the handlers; what arrives here is a commit that did not happen.
          failed.set(id, Date.now() + RETRY_FAILED_MS);
          logger.error({ update_id: id, error: describeError(error instanceof Error && "error" in error ? error.error : error) }, "update not handled; it will be fetched and tried again");
        },
      )
      .finally(() => {
        inFlight.delete(id);
        changed();
      });
    inFlight.set(id, task);
  };

  const loop = async () => {
    let backoff = 0;
    let repoll = REPOLL_MIN_MS;
    let lastPoll = 0;
    let conflictWarned = 0;
    while (!stopping) {
      if (inFlight.size >= concurrency) {
        await waitForChange(Infinity);
        continue;
      }
      let updates: Update[];
      try {
        lastPoll = Date.now();
        const fresh = await bot.api.getUpdates(
          // Always the full window: its start is still being handled, and what is new lies beyond.
          { offset: offset(), limit: 100, timeout: options.pollTimeoutSeconds, allowed_updates: [...ALLOWED_UPDATES] },
          abort.signal as never,
        );
        updates = validUpdates(fresh);
        backoff = 0;
      } catch (error) {
        if (stopping) return;
        if (error instanceof GrammyError && error.error_code === 401) {
          options.onFatal("Configuration error: BOT_TOKEN was rejected by Telegram (401 Unauthorized) while polling; check it with @BotFather");
          return;
        }
        if (error instanceof GrammyError && error.error_code === 409) {
          if (Date.now() - conflictWarned > 60_000) {
            conflictWarned = Date.now();
            logger.warn(
              { code: 409 },
              "Telegram refuses to give updates to two pollers: another instance is polling with this token, or a webhook is set for it. Stop the other instance (or remove WEBHOOK_URL there); retrying",
            );
          }
        } else if (error instanceof MalformedUpdates) {
          logger.warn({ problem: error.message }, "getUpdates answered with something that is not a list of updates; retrying");
        } else if (!(error instanceof HttpError)) {
          // Network faults are logged by the client (telegram/client.ts); anything else is news.
          logger.warn({ error: describeError(error) }, "getUpdates failed; retrying");
        }
        const retryAfter = error instanceof GrammyError ? (error.parameters.retry_after ?? 0) * 1000 : 0;
        backoff = Math.min(MAX_BACKOFF_MS, Math.max(500, backoff * 2));
        await sleep(Math.max(backoff, Math.min(retryAfter, 30_000)), abort.signal);
        continue;
      }
      const now = Date.now();
      let fresh = 0;
      for (const update of updates) {
        const id = update.update_id;
        nextAfterSeen = Math.max(nextAfterSeen, id + 1);
        const retryAt = failed.get(id);
        if (inFlight.has(id) || done.has(id) || (retryAt !== undefined && retryAt > now)) continue;
        // Beyond the concurrency, an update waits: it comes again with the next batch, still unconfirmed.
        if (inFlight.size >= concurrency) break;
        handle(update);
        fresh++;
      }
      // Asking again at once would bring back what is being handled (Telegram keeps an update until
      // the offset passes it), at the cost of a request and its parsing while the handlers need the
      // CPU. So with updates in flight, wait until one finishes (the offset can then move), or at
      // most REPOLL_MS, so that one slow update never keeps new ones waiting long; with failed ones
      // only, until the first is due again. (With nothing in flight, the next poll waits for news.)
      repoll = fresh > 0 ? REPOLL_MIN_MS : Math.min(REPOLL_MAX_MS, repoll * 2);
      if (inFlight.size > 0) {
        // Nothing is asked again until something finished, and then not before the back-off.
        await waitForChange(soonestRetry(now));
        const wait = lastPoll + repoll - Date.now();
        if (wait > 0 && !stopping) await sleep(wait, abort.signal);
      } else if (failed.size > 0 && fresh === 0 && updates.length > 0) {
        await waitForChange(Math.max(10, soonestRetry(now)));
      }
    }
  };

  const soonestRetry = (now: number) => (failed.size === 0 ? Infinity : Math.max(0, Math.min(...failed.values()) - now));

  await bot.api.deleteWebhook();
  const running = loop().catch((error: unknown) => logger.error({ error: describeError(error) }, "polling stopped unexpectedly"));
  logger.info({ mode: "polling" }, "bot started");
  return {
    async stop() {
      stopping = true;
      abort.abort();
      abort = new AbortController();
      await running;
      await Promise.allSettled([...inFlight.values()]);
      // Confirm what was handled, so a restart neither repeats nor loses anything.
      await bot.api.getUpdates({ offset: offset(), limit: 1, timeout: 0 });
    },
  };
}

class MalformedUpdates extends Error {}

/** A list of updates, each an object with a whole update_id; anything else is refused. */
function validUpdates(result: unknown): Update[] {
  if (!Array.isArray(result)) throw new MalformedUpdates(`expected a list, got ${typeof result}`);
  for (const u of result) {
    if (typeof u !== "object" || u === null || !Number.isSafeInteger((u as { update_id?: unknown }).update_id)) throw new MalformedUpdates("an item is not an update with an update_id");
  }
  return result as Update[];
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}
