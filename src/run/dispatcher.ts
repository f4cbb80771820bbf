import { type Bot, BotError } from "grammy";
import type { Update } from "grammy/types";
import type { BotContext } from "../bot/context.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../observability/metrics.js";
import { describeError } from "../privacy/describe-error.js";
import { shapeOf } from "../privacy/seal.js";
import type { Storage } from "../storage/storage.js";

/** What became of an update handed to the bot. */
export type Outcome =
  /** Handled, its effects committed (or skipped as handled before, or dropped by a limit). */
  | "done"
  /** Not handled: its commit (or something before the error boundary) failed. Try again later. */
  | "failed"
  /** Failed too often while other updates were handled: recorded, and not tried again. */
  | "set-aside"
  /** Not handled because the bot is stopping: it is handled after the restart. */
  | "abandoned";

export interface DispatcherOptions {
  storage: Storage;
  logger: Logger;
  metrics: Metrics;
  /** The update's own failures after which it is set aside. */
  maxAttempts?: number;
  /** Set when the bot begins to stop: failures from then on are the stop's doing. */
  stopping?: AbortSignal;
}

export const MAX_ATTEMPTS = 5;

/**
 * Hands updates to the bot, for polling and the webhook alike, and keeps count of the work: an
 * update counts from the moment it is handed over until its handlers and commit are done,
 * whatever any caller's timeout says (the webhook's in-flight cap counts this).
 *
 * An update whose handling fails (the error boundary answers for the handlers, so what fails
 * here is its commit, or something before the boundary) is recorded in the inbox with the kind
 * of error. The failure counts as the update's own when other updates were committed since it was
 * handed over, or since its last failure: the database works, this update does not. After MAX_ATTEMPTS own failures it is set
 * aside: logged with its id and the kind of error, counted in /metrics, kept as a shape (no id,
 * name or text) for 48 hours, and not tried again. When the database fails for everyone (a full
 * disk), nobody commits, no failure counts, and every update is held until it works again.
 */
export class Dispatcher {
  private readonly work = new Map<number, Promise<Outcome>>();
  /** For an update that failed: the commits counted when it last failed, so its next failure can tell whether others committed since. */
  private readonly failedAt = new Map<number, number>();
  private readonly maxAttempts: number;
  private changed: (() => void)[] = [];

  constructor(
    private readonly bot: Bot<BotContext>,
    private readonly options: DispatcherOptions,
  ) {
    this.maxAttempts = options.maxAttempts ?? MAX_ATTEMPTS;
  }

  /** Updates handed over and not yet done with, those past any caller's deadline included. */
  get inFlight(): number {
    return this.work.size;
  }

  /** Resolves when some update in flight is done with (at once when none is). */
  someDone(): Promise<void> {
    if (this.work.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.changed.push(resolve));
  }

  /** Resolves when every update in flight is done with. */
  async drained(): Promise<void> {
    while (this.work.size > 0) await Promise.allSettled([...this.work.values()]);
  }

  /**
   * Handles the update. The bot joins it to its chat's queue synchronously, so updates handed
   * over in order are handled in order, chat by chat.
   */
  dispatch(update: Update): Promise<Outcome> {
    const id = update.update_id;
    const running = this.work.get(id);
    if (running !== undefined) {
      // Delivered again while being handled (a webhook retry): it is that one.
      this.options.metrics.dropped.inc({ reason: "duplicate" });
      return running;
    }
    const { storage } = this.options;
    const since = this.failedAt.get(id) ?? storage.commits;
    const task = this.bot.handleUpdate(update).then(
      (): Outcome => {
        this.failedAt.delete(id);
        return "done";
      },
      (error: unknown) => {
        const own = storage.commits > since;
        this.failedAt.set(id, storage.commits);
        return this.failed(update, error instanceof BotError ? error.error : error, own);
      },
    );
    const tracked = task.finally(() => {
      this.work.delete(id);
      const waiting = this.changed;
      this.changed = [];
      for (const w of waiting) w();
    });
    this.work.set(id, tracked);
    return tracked;
  }

  private async failed(update: Update, error: unknown, own: boolean): Promise<Outcome> {
    const outcome = await this.record(update, error, own);
    if (outcome !== "failed") this.failedAt.delete(update.update_id);
    return outcome;
  }

  private async record(update: Update, error: unknown, own: boolean): Promise<Outcome> {
    const { storage, logger, metrics, stopping } = this.options;
    const id = update.update_id;
    const described = describeError(error);
    if (stopping?.aborted === true) {
      logger.info({ update_id: id }, "the bot is stopping; the update is handled after the restart");
      return "abandoned";
    }
    let recorded: { attempts: number; setAside: boolean };
    try {
      recorded = await storage.recordFailure(id, { own, error: described.type, limit: this.maxAttempts, shape: JSON.stringify(shapeOf(update)) });
    } catch {
      // The database does not take the record either: it is down for everyone, so nothing counts.
      logger.error({ update_id: id, error: described }, "update not handled; it is tried again");
      return "failed";
    }
    if (recorded.setAside) {
      metrics.setAside.inc();
      logger.error({ update_id: id, error: described, attempts: recorded.attempts }, `update set aside after failing ${recorded.attempts} times while others were handled; its shape is kept for 48 hours (table inbox)`);
      return "set-aside";
    }
    logger.error({ update_id: id, error: described, attempts: recorded.attempts }, "update not handled; it is tried again");
    return "failed";
  }
}
