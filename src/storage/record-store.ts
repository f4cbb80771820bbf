import type { StorageAdapter } from "grammy";
import type { Db } from "./database.js";

export type Clock = () => number;

/** How many records, and how many characters of them, stay in memory (most recently used first). */
const CACHE_LIMIT = 20_000;
const CACHE_CHARS = 4_000_000;
/** An unchanged record is written again only this long after its last write, to keep expiry honest. */
const TOUCH_INTERVAL_MS = 3_600_000;

interface Cached {
  /** The record as stored (JSON), or null when there is none. */
  json: string | null;
  /** When it was last written; 0 when only read. */
  written: number;
}

/**
 * Per-chat records in SQLite. Keys arrive already anonymous (see privacy/anon-key.ts); this layer
 * adds a namespace so sessions and conversations share one table.
 *
 * Every update reads the session and the conversation state and writes the session back, even
 * when nothing changed. A write-through cache of recent records answers the reads; writes that
 * would store the same JSON are skipped (but for a refresh of the expiry time every hour); and
 * the remaining writes are committed together, in one transaction at the end of the event-loop
 * turn, instead of one commit each. A crash can lose at most that turn's writes; `flush` (called
 * on shutdown) loses none. It assumes one bot process per database, which long polling and
 * webhooks both require anyway.
 */
export class RecordStore {
  private readonly get;
  private readonly put;
  private readonly remove;
  private readonly sweepStmt;
  private readonly countStmt;
  private readonly namespaces = new Set<string>();
  private readonly cache = new Map<string, Cached>();
  private cachedChars = 0;
  /** Writes (json) and deletions (null) waiting for the end of the event-loop turn. */
  private readonly pending = new Map<string, { json: string | null; at: number }>();
  private flushScheduled = false;

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

  /**
   * A grammY storage adapter whose keys live under `namespace`. A `replacer` shapes what is
   * serialised (the conversation namespace uses it to strip personal data).
   */
  adapter<T>(namespace: string, options: { replacer?: (key: string, value: unknown) => unknown } = {}): StorageAdapter<T> {
    const prefix = `${namespace}:`;
    this.namespaces.add(prefix);
    const replacer = options.replacer;
    return {
      read: (key) => {
        const json = this.load(prefix + key);
        return json === null ? undefined : (JSON.parse(json) as T);
      },
      write: (key, value) => this.store(prefix + key, JSON.stringify(value, replacer)),
      delete: (key) => {
        this.drop(prefix + key);
      },
    };
  }

  /** Deletes every record of one anonymous key, in every namespace, at once. */
  forget(anonKey: string): number {
    this.flush();
    let removed = 0;
    for (const prefix of this.namespaces) {
      this.remember(prefix + anonKey, { json: null, written: 0 });
      removed += this.remove.run(prefix + anonKey).changes;
    }
    return removed;
  }

  /** Deletes records idle for longer than `maxIdleMs`; returns how many went. */
  sweep(maxIdleMs: number): number {
    this.flush();
    const removed = this.sweepStmt.run(this.now() - maxIdleMs).changes;
    if (removed > 0) {
      this.cache.clear();
      this.cachedChars = 0;
    }
    return removed;
  }

  /** The stored size of one record (namespace:key), in characters of JSON; 0 when there is none. */
  size(namespacedKey: string): number {
    this.flush();
    return this.get.get(namespacedKey)?.value.length ?? 0;
  }

  count(): number {
    this.flush();
    return this.countStmt.get()!.n;
  }

  /** Commits the writes still waiting for the end of the event-loop turn. */
  flush(): void {
    this.flushScheduled = false;
    // The owner closes the database only after a flush (App.close); a closed one has nothing to take.
    if (this.pending.size === 0 || !this.db.open) return;
    this.db.transaction(() => {
      for (const [key, { json, at }] of this.pending) {
        if (json === null) this.remove.run(key);
        else this.put.run(key, json, at);
      }
    })();
    this.pending.clear();
  }

  /** Lets a bulk loader (benchmarks, migrations) write many records in one transaction. */
  transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
    return this.db.transaction(fn);
  }

  private load(key: string): string | null {
    const hit = this.cache.get(key);
    if (hit !== undefined) {
      // Most recently used last.
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit.json;
    }
    const json = this.get.get(key)?.value ?? null;
    this.remember(key, { json, written: 0 });
    return json;
  }

  private store(key: string, json: string): void {
    const now = this.now();
    const hit = this.cache.get(key);
    if (hit !== undefined && hit.json === json && now - hit.written < TOUCH_INTERVAL_MS) return;
    this.pending.set(key, { json, at: now });
    this.remember(key, { json, written: now });
    this.scheduleFlush();
  }

  private drop(key: string): void {
    if (this.cache.get(key)?.json === null && !this.pending.has(key)) return;
    this.pending.set(key, { json: null, at: 0 });
    this.remember(key, { json: null, written: 0 });
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private remember(key: string, entry: Cached): void {
    this.forgetCached(key);
    this.cache.set(key, entry);
    this.cachedChars += entry.json?.length ?? 0;
    while (this.cache.size > CACHE_LIMIT || this.cachedChars > CACHE_CHARS) this.forgetCached(this.cache.keys().next().value!);
  }

  private forgetCached(key: string): void {
    const old = this.cache.get(key);
    if (old === undefined) return;
    this.cachedChars -= old.json?.length ?? 0;
    this.cache.delete(key);
  }
}
