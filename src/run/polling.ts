import { type Bot, GrammyError, HttpError } from "grammy";
import type { Update } from "grammy/types";
import type { BotContext } from "../bot/context.js";
import type { Logger } from "../logger.js";
import { describeError } from "../privacy/describe-error.js";
import type { Sealer } from "../privacy/seal.js";
import type { Storage } from "../storage/storage.js";
import type { Dispatcher, Outcome } from "./dispatcher.js";
import { ALLOWED_UPDATES } from "./updates.js";

export interface PollingOptions {
  logger: Logger;
  storage: Storage;
  dispatcher: Dispatcher;
  sealer: Sealer;
  /** Seconds Telegram may hold a getUpdates call open. */
  pollTimeoutSeconds: number;
  /** Updates being handled at once (a chat's own still go one at a time); beyond it, Telegram keeps the rest. */
  maxInFlight?: number;
  /** Waits before trying a failed update again: the first, doubling up to the last. */
  retryMs?: { first: number; max: number };
  /** A problem polling cannot get past (the token was revoked): the process should stop. */
  onFatal(message: string): void;
}

export interface Polling {
  /** Stops fetching, lets the updates being handled finish (shutdown cuts them short), and confirms what was fetched. */
  stop(): Promise<void>;
}

/** Back-off between failed polls: from half a second, doubling, to at most five, so the bot hears again soon after an outage. */
const MAX_BACKOFF_MS = 5_000;
const DEFAULT_MAX_IN_FLIGHT = 1_000;
/** A failed update is tried again after a tenth of a second, then twice as long each time, at most every 30 s: one that fails for itself is set aside within seconds while others flow. */
const DEFAULT_RETRY = { first: 100, max: 30_000 };

/**
 * Long polling through a durable inbox. Each batch getUpdates returns is written to the
 * database's inbox (sealed, privacy/seal.ts) in one transaction, and its updates are handed to the
 * bot in order; the next getUpdates, which confirms the batch to Telegram, waits until that
 * transaction is on disk.
 * So every update is fetched once, new ones are heard while slow ones are handled, and an update
 * that keeps failing holds nothing back: it is tried again from memory after a back-off until the
 * dispatcher sets it aside (dispatcher.ts). A crash loses nothing: at start-up what the inbox
 * holds unhandled is handled first, and an update handled but not yet deleted from the inbox is
 * recognised by its handled mark (storage.ts). When the inbox cannot be written (the database is
 * down, the disk full), nothing is confirmed: Telegram keeps the batch and it is fetched again.
 *
 * Malformed answers, 409 and network faults are logged and retried with a capped back-off; 401
 * ends the process with one clear line.
 */
export async function startPolling(bot: Bot<BotContext>, options: PollingOptions): Promise<Polling> {
  const { logger, storage, dispatcher, sealer } = options;
  const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  const retry = options.retryMs ?? DEFAULT_RETRY;
  /** Handled (or set aside) since the last write to the inbox: their rows go with the next one. */
  let handled: number[] = [];
  /** Failed updates waiting to be tried again, by id. */
  const retries = new Map<number, NodeJS.Timeout>();
  let offset = 0;
  let stopping = false;
  const abort = new AbortController();

  const dispatch = (update: Update, delay = retry.first) => {
    void dispatcher.dispatch(update).then((outcome: Outcome) => {
      if (outcome === "done" || outcome === "set-aside") handled.push(update.update_id);
      else if (outcome === "failed" && !stopping) {
        const timer = setTimeout(() => {
          retries.delete(update.update_id);
          if (!stopping) dispatch(update, Math.min(retry.max, delay * 2));
        }, delay);
        retries.set(update.update_id, timer);
      }
    });
  };

  // What a stop or a crash left: older than anything Telegram still has, so it goes first.
  for (const update of await leftovers(storage, sealer, logger)) dispatch(update);

  let storageWarned = false;
  const loop = async () => {
    let backoff = 0;
    let conflictWarned = 0;
    while (!stopping) {
      if (dispatcher.inFlight >= maxInFlight) {
        await dispatcher.someDone();
        continue;
      }
      let updates: Update[];
      try {
        const fresh = await bot.api.getUpdates(
          { offset, limit: 100, timeout: options.pollTimeoutSeconds, allowed_updates: [...ALLOWED_UPDATES] },
          abort.signal as never,
        );
        updates = validUpdates(fresh).filter((u) => u.update_id >= offset);
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
      if (updates.length === 0) continue;
      const done = handled;
      handled = [];
      let onDisk: Promise<void>;
      try {
        ({ onDisk } = await storage.keep(
          updates.map((u) => ({ update_id: u.update_id, body: sealer.seal(JSON.stringify(u)) })),
          done,
        ));
      } catch (error) {
        handled.push(...done);
        backoff = await inboxFailed(error, backoff);
        continue;
      }
      // Written: they are handled from now on, while the disk makes them durable; Telegram is told
      // to forget them (by the next getUpdates) only once it has.
      for (const update of updates) dispatch(update);
      try {
        await onDisk;
      } catch (error) {
        // Not confirmed: fetched again, and recognised as being handled, or handled (storage.ts).
        backoff = await inboxFailed(error, backoff);
        continue;
      }
      if (storageWarned) logger.info("the inbox can be written again");
      storageWarned = false;
      offset = updates.at(-1)!.update_id + 1;
    }
  };

  const inboxFailed = async (error: unknown, backoff: number) => {
    if (!storageWarned) logger.error({ error: describeError(error) }, "the inbox cannot be written; Telegram keeps the updates until it can");
    storageWarned = true;
    storage.reportFailure(`inbox: ${describeError(error).message}`);
    const next = Math.min(MAX_BACKOFF_MS, Math.max(500, backoff * 2));
    await sleep(next, abort.signal);
    return next;
  };

  await bot.api.deleteWebhook();
  const running = loop().catch((error: unknown) => logger.error({ error: describeError(error) }, "polling stopped unexpectedly"));
  logger.info({ mode: "polling" }, "bot started");
  return {
    async stop() {
      stopping = true;
      abort.abort();
      await running;
      for (const timer of retries.values()) clearTimeout(timer);
      await dispatcher.drained();
      // Clear the rows of what was handled, and tell Telegram what the inbox holds (should that
      // fail, the next start fetches those updates again and recognises them as handled or kept).
      if (handled.length > 0) await storage.receive([], handled).catch(() => undefined);
      if (offset > 0) await bot.api.getUpdates({ offset, limit: 1, timeout: 0 });
    },
  };
}

/** The updates the inbox holds unhandled from before a restart (or from polling, before a start in webhook mode), oldest first. */
export async function leftovers(storage: Storage, sealer: Sealer, logger: Logger): Promise<Update[]> {
  const rows = await storage.unhandledInbox();
  if (rows.length > 0) logger.info({ updates: rows.length }, "handling the updates the inbox kept from before the restart");
  const updates: Update[] = [];
  for (const row of rows) {
    const text = sealer.open(row.body);
    if (text === undefined) logger.warn({ update_id: row.update_id }, "an update in the inbox cannot be opened with this secret; it is skipped");
    else updates.push(JSON.parse(text) as Update);
  }
  return updates;
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
