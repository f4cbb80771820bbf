import { isoDay } from "../content/dates.js";
import type { Logger } from "../logger.js";
import { describeError } from "../privacy/describe-error.js";
import type { Storage } from "../storage/storage.js";

/** What the operator can count. Labels are languages, topic ids or deep-link sources: never people. */
export type StatName = "start" | "topic" | "route_done" | "handoff" | "inline_query" | "inline_chosen";

export interface StatRow {
  name: string;
  label: string;
  n: number;
}

/**
 * Anonymous daily counters. Counts gather in memory and are added to the database every few
 * seconds (and on shutdown), so counting costs an update a map entry, not a write. Replicas add
 * to the same rows. A flush that fails keeps its counts for the next one.
 */
export class Stats {
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  count(name: StatName, label = ""): void {
    const key = `${isoDay(this.now())}\u0000${name}\u0000${label}`;
    this.pending.set(key, (this.pending.get(key) ?? 0) + 1);
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const rows = [...batch].map(([key, n]) => {
      const [day, name, label] = key.split("\u0000") as [string, string, string];
      return { day, name, label, n };
    });
    try {
      await this.storage.addCounts(rows);
    } catch (error) {
      for (const [key, n] of batch) this.pending.set(key, (this.pending.get(key) ?? 0) + n);
      this.storage.reportFailure(`counters: ${describeError(error).message}`);
      this.logger.warn({ error: describeError(error) }, "could not save the counters; they are kept for the next try");
    }
  }

  /** Flushes on an interval until `stop`. */
  start(intervalMs = 5_000): void {
    this.timer ??= setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** Totals over the last `days` days, today included. */
  async summary(days: number): Promise<StatRow[]> {
    await this.flush();
    return this.storage.countsSince(isoDay(this.now() - (days - 1) * 86_400_000));
  }
}
