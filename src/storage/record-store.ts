import type { StorageAdapter } from "grammy";
import type { Db } from "./database.js";

export type Clock = () => number;

/**
 * Per-chat records in SQLite. Keys arrive already anonymous (see privacy/anon-key.ts);
 * this layer only adds a namespace so sessions and conversations can share one table.
 */
export class RecordStore {
  private readonly get;
  private readonly put;
  private readonly remove;
  private readonly namespaces = new Set<string>();
  private readonly sweepStmt;
  private readonly countStmt;

  constructor(
    private readonly db: Db,
    private readonly now: Clock = Date.now,
  ) {
    this.get = db.prepare<[string], { value: string }>("SELECT value FROM records WHERE key = ?");
    this.put = db.prepare<[string, string, number]>(
      "INSERT INTO records (key, value, touched) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, touched = excluded.touched",
    );
    this.remove = db.prepare<[string]>("DELETE FROM records WHERE key = ?");
    this.sweepStmt = db.prepare<[number]>("DELETE FROM records WHERE touched < ?");
    this.countStmt = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM records");
  }

  /** A grammY storage adapter whose keys live under `namespace`. */
  adapter<T>(namespace: string): StorageAdapter<T> {
    const prefix = `${namespace}:`;
    this.namespaces.add(prefix);
    return {
      read: (key) => {
        const row = this.get.get(prefix + key);
        return row === undefined ? undefined : (JSON.parse(row.value) as T);
      },
      write: (key, value) => {
        this.put.run(prefix + key, JSON.stringify(value), this.now());
      },
      delete: (key) => {
        this.remove.run(prefix + key);
      },
    };
  }

  /** Deletes every record of one anonymous key, in every namespace. */
  forget(anonKey: string): number {
    let removed = 0;
    for (const prefix of this.namespaces) removed += this.remove.run(prefix + anonKey).changes;
    return removed;
  }

  /** Deletes records idle for longer than `maxIdleMs`; returns how many went. */
  sweep(maxIdleMs: number): number {
    return this.sweepStmt.run(this.now() - maxIdleMs).changes;
  }

  count(): number {
    return this.countStmt.get()!.n;
  }

  /** Lets a bulk loader (benchmarks, migrations) write many records in one transaction. */
  transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
    return this.db.transaction(fn);
  }
}
