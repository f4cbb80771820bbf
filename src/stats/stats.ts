import type { Db } from "../storage/database.js";

/** What the operator can count. Labels are languages, topic ids or deep-link sources: never people. */
export type StatName = "start" | "topic" | "route_done" | "handoff" | "inline_query" | "inline_chosen";

export interface StatRow {
  name: string;
  label: string;
  n: number;
}

/**
 * Anonymous daily counters. Counts gather in memory and are written in one transaction every
 * few seconds (and on shutdown), so counting costs the hot path a map update, not a write.
 */
export class Stats {
  private pending = new Map<string, number>();
  private readonly upsert;
  private readonly since;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.upsert = db.prepare<[string, string, string, number]>(
      "INSERT INTO daily_counts (day, name, label, n) VALUES (?, ?, ?, ?) ON CONFLICT (day, name, label) DO UPDATE SET n = n + excluded.n",
    );
    this.since = db.prepare<[string], StatRow>("SELECT name, label, sum(n) AS n FROM daily_counts WHERE day >= ? GROUP BY name, label ORDER BY name, n DESC, label");
  }

  count(name: StatName, label = ""): void {
    const key = `${this.day(this.now())}\u0000${name}\u0000${label}`;
    this.pending.set(key, (this.pending.get(key) ?? 0) + 1);
  }

  flush(): void {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.db.transaction(() => {
      for (const [key, n] of batch) {
        const [day, name, label] = key.split("\u0000") as [string, string, string];
        this.upsert.run(day, name, label, n);
      }
    })();
  }

  /** Flushes on an interval until `stop`. */
  start(intervalMs = 5_000): void {
    this.timer ??= setInterval(() => this.flush(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.flush();
  }

  /** Totals over the last `days` days, today included. */
  summary(days: number): StatRow[] {
    this.flush();
    const from = this.day(this.now() - (days - 1) * 86_400_000);
    return this.since.all(from);
  }

  private day(ms: number): string {
    return new Date(ms).toISOString().slice(0, 10);
  }
}
