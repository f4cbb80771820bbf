import { setImmediate as turn } from "node:timers/promises";
import { type Kysely, sql, type Transaction } from "kysely";
import type { Database as SqliteDatabase, Statement } from "better-sqlite3";
import type { Engine } from "./engine.js";
import { HANDLED_ROW, keepInInbox, PostgresUnit } from "./postgres-unit.js";
import type { Tables } from "./tables.js";

/** The database or a transaction (or a connection held for a job): what queries run on. */
export type Db = Kysely<Tables> | Transaction<Tables>;

/** An unchanged record is written again only this long after its last write, to keep expiry honest. */
const TOUCH_INTERVAL_MS = 3_600_000;
/** A /forget mark lasts as long as a press queued before it can still arrive, and a little more. */
const FORGET_MARK_MS = 3_600_000;
/** Telegram keeps an unconfirmed update for a day; its id is kept a little longer, and so is what is left of an update set aside. */
const HANDLED_KEEP_MS = 48 * 3_600_000;
/** Rows deleted per statement by the sweep, between which other work runs. */
const SWEEP_BATCH = 500;

export const DUPLICATE = Symbol("duplicate");

/** Which messages /forget deleted in a chat, and until when a press on one of them is dropped. */
export interface ForgetMark {
  upTo: number;
  until: number;
}

/**
 * One chat's records while one of its updates is handled: read when the update arrives, written
 * when it is done, in the same transaction as the mark that it was handled.
 */
export class ChatRecords {
  private sessionValue: unknown;
  private sessionJson: string | undefined;
  private sessionTouched = 0;
  private conversationLoaded = false;
  private conversationValue: unknown;
  private conversationJson: string | undefined;
  private conversationTouched = 0;
  private forgotten: number | undefined;
  private readonly mark: ForgetMark | undefined;

  /** `rows` are the chat's records as read; with `conversationRead`, its conversation's row was asked for too. */
  constructor(
    readonly key: string,
    private readonly access: ChatAccess,
    rows: readonly Row[],
    conversationRead: boolean,
    private readonly replacer: ((key: string, value: unknown) => unknown) | undefined,
  ) {
    this.conversationLoaded = conversationRead;
    for (const row of rows) {
      if (row.key === `s:${key}`) {
        this.sessionJson = row.value;
        this.sessionValue = JSON.parse(row.value);
        this.sessionTouched = row.touched;
      } else if (row.key === `f:${key}`) {
        this.mark = JSON.parse(row.value) as ForgetMark;
      } else if (row.key === `c:${key}`) {
        this.conversationJson = row.value;
        this.conversationValue = JSON.parse(row.value);
        this.conversationTouched = row.touched;
      }
    }
  }

  session<T>(): T | undefined {
    return this.sessionValue as T | undefined;
  }

  /** Undefined or null deletes the session. */
  setSession(value: unknown): void {
    this.sessionValue = value ?? undefined;
  }

  /** The guided conversation's state, read only by the updates that can belong to it. */
  async conversation<T>(): Promise<T | undefined> {
    if (!this.conversationLoaded) {
      const row = await this.access.readOne(`c:${this.key}`);
      this.conversationJson = row?.value;
      this.conversationValue = row === undefined ? undefined : JSON.parse(row.value);
      this.conversationTouched = row?.touched ?? 0;
      this.conversationLoaded = true;
    }
    return this.conversationValue as T | undefined;
  }

  setConversation(value: unknown): void {
    this.conversationLoaded = true;
    this.conversationValue = value ?? undefined;
  }

  /** Adds this update to the chat's count for the current window, in the unit's own transaction, and returns the count. */
  countHit(windowMs: number): Promise<number> {
    return this.access.countHit(this.key, windowMs);
  }

  forgetMark(): ForgetMark | undefined {
    return this.mark;
  }

  /** Deletes everything kept for this chat, and marks the messages up to `upTo` as deleted. */
  forget(upTo: number | undefined): void {
    this.sessionValue = undefined;
    this.conversationValue = undefined;
    this.conversationLoaded = true;
    this.forgotten = upTo ?? 0;
  }

  /** The writes that what changed needs; an unchanged record is rewritten only to keep its expiry honest. */
  changes(now: number): Write[] {
    const writes: Write[] = [];
    const write = (key: string, value: unknown, before: string | undefined, touched: number, replacer?: (k: string, v: unknown) => unknown) => {
      if (value === undefined) {
        if (before !== undefined) writes.push({ key, value: undefined });
        return;
      }
      const json = JSON.stringify(value, replacer);
      if (json !== before || now - touched >= TOUCH_INTERVAL_MS) writes.push({ key, value: json });
    };
    if (this.forgotten !== undefined) {
      writes.push({ key: `s:${this.key}`, value: undefined }, { key: `c:${this.key}`, value: undefined });
      writes.push({ key: `f:${this.key}`, value: JSON.stringify({ upTo: this.forgotten, until: now + FORGET_MARK_MS } satisfies ForgetMark) });
    } else {
      write(`s:${this.key}`, this.sessionValue, this.sessionJson, this.sessionTouched);
      if (this.conversationLoaded) write(`c:${this.key}`, this.conversationValue, this.conversationJson, this.conversationTouched, this.replacer);
    }
    return writes;
  }
}

interface PendingCommit {
  writes: readonly Write[];
  updateId: number;
  at: number;
  resolve(): void;
  reject(error: unknown): void;
}

/** One record to write (stamped with the commit's time), or to delete (`value` undefined). */
export interface Write {
  key: string;
  value: string | undefined;
}

/** What a chat's records may ask of the database while their update is handled. */
interface ChatAccess {
  readOne(key: string): Promise<{ value: string; touched: number } | undefined>;
  countHit(key: string, windowMs: number): Promise<number>;
}

export interface Row {
  key: string;
  value: string;
  touched: number;
}

export interface StorageOptions {
  now: () => number;
  /** Shapes what a conversation's saved state keeps (privacy/redact.ts). */
  conversationReplacer?: (key: string, value: unknown) => unknown;
  /**
   * On PostgreSQL, the rate limit's window (chat-limits.ts): a unit of work adds its update to
   * its chat's count in this window in its first round trip, and the chat's first `countHit`
   * with this window takes that count instead of a round trip of its own.
   */
  rateWindowMs?: number;
}

export type Health = { ok: true } | { ok: false; problem: string };

/** How a unit of work may wait before it begins, and what it is told when it does. */
export interface UnitOptions {
  /** Read the chat's conversation with the rest (for updates that can belong to one). */
  conversation?: boolean;
  /** Called once the unit holds its connection and is about to begin: the update's time budget starts here. */
  begun?: () => void;
  /** Waiting for a connection is given up when this aborts (shutdown). */
  signal?: AbortSignal;
}

/**
 * Everything the bot keeps, on SQLite or PostgreSQL. An update is handled inside a unit of work:
 * its chat's records are read when it arrives and written with the mark that it was handled, in
 * one transaction, before the update counts as handled (the polling offset moves past it, the
 * webhook answers 200). On PostgreSQL the unit holds a lock on its chat for its whole duration,
 * so replicas handle one chat's updates one after another; on SQLite the process's per-chat
 * queue does that (one process per file).
 */
export class Storage {
  private readonly inFlight = new Map<number, Promise<unknown>>();
  private failure: string | undefined;
  private committed = 0;
  private statements: SqliteStatements | undefined;
  /**
   * On PostgreSQL, units of work take at most all connections but one, and wait for one here
   * (not in the pool's queue, whose timeout is for connecting): the last connection is left for
   * everything else (start-up jobs, the sweep, counters, /healthz), so none of that waits behind
   * updates, and no update waits for a connection that something it needs holds.
   */
  private readonly slots: Slots | undefined;

  constructor(
    readonly engine: Engine,
    private readonly options: StorageOptions,
  ) {
    this.slots = engine.kind === "postgres" ? new Slots(Math.max(1, engine.poolSize - 1)) : undefined;
  }

  get db(): Kysely<Tables> {
    return this.engine.db;
  }

  /**
   * Runs `work` for one update with its chat's records (none for updates without a private chat),
   * then commits. Returns DUPLICATE, without running `work`, for an update handled before, or
   * being handled right now in this process. With `conversation`, the chat's conversation is read
   * with the rest (for updates that can belong to one); otherwise it is read only if asked for.
   */
  async handle<T>(updateId: number, key: string | undefined, work: (chat: ChatRecords | undefined) => Promise<T>, options: UnitOptions = {}): Promise<T | typeof DUPLICATE> {
    const running = this.inFlight.get(updateId);
    if (running !== undefined) {
      await running.catch(() => undefined);
      return DUPLICATE;
    }
    const unit = this.slots === undefined ? this.unit(updateId, key, options, work) : this.slots.run(() => this.unit(updateId, key, options, work), options.signal);
    this.inFlight.set(updateId, unit);
    try {
      const result = await unit;
      this.failure = undefined;
      if (result !== DUPLICATE) this.committed++;
      return result;
    } catch (error) {
      this.failure = (error as Error).message;
      throw error;
    } finally {
      this.inFlight.delete(updateId);
    }
  }

  private async unit<T>(updateId: number, key: string | undefined, options: UnitOptions, work: (chat: ChatRecords | undefined) => Promise<T>): Promise<T | typeof DUPLICATE> {
    const now = this.options.now;
    const withConversation = options.conversation === true;
    options.begun?.();
    const sqlite = this.sqlite();
    if (sqlite !== undefined) {
      const rows = sqlite.read(updateId, key, withConversation);
      if (rows.some((r) => r.key === HANDLED_ROW)) return DUPLICATE;
      const access: ChatAccess = { readOne: async (k) => sqlite.readOne(k), countHit: (k, windowMs) => countHitIn(this.db, k, windowMs, now()) };
      const chat = key === undefined ? undefined : new ChatRecords(key, access, rows, withConversation, this.options.conversationReplacer);
      const result = await work(chat);
      await sqlite.commitSoon(chat?.changes(now()) ?? [], updateId, now());
      return result;
    }
    // Replicas take turns per chat (or per update, for those without one): the lock is the transaction's.
    const windowMs = this.options.rateWindowMs;
    const { unit, rows, count } = await PostgresUnit.begin(
      this.engine.pool!,
      key ?? `u:${updateId}`,
      updateId,
      key === undefined ? [] : withConversation ? [`s:${key}`, `f:${key}`, `c:${key}`] : [`s:${key}`, `f:${key}`],
      key === undefined || windowMs === undefined ? undefined : { key, windowStart: windowStartOf(now(), windowMs) },
    );
    try {
      if (rows.some((r) => r.key === HANDLED_ROW)) {
        await unit.rollback();
        return DUPLICATE;
      }
      let counted = count;
      const access: ChatAccess = {
        readOne: (k) => unit.readOne(k),
        countHit: (k, ms) => {
          if (counted !== undefined && k === key && ms === windowMs) {
            const n = counted;
            counted = undefined;
            return Promise.resolve(n);
          }
          return unit.countHit(k, windowStartOf(now(), ms));
        },
      };
      const chat = key === undefined ? undefined : new ChatRecords(key, access, rows, withConversation, this.options.conversationReplacer);
      const result = await work(chat);
      const at = now();
      await unit.commit(chat?.changes(at) ?? [], updateId, at);
      return result;
    } catch (error) {
      await unit.rollback();
      throw error;
    }
  }

  /** SQLite's statements, prepared on first use (the schema is in place by then). */
  private sqlite(): SqliteStatements | undefined {
    if (this.statements === undefined && this.engine.sqlite !== undefined) this.statements = new SqliteStatements(this.engine.sqlite);
    return this.statements;
  }

  /** Units of work committed since the start: a failure while others commit is the failing update's own, not the database's. */
  get commits(): number {
    return this.committed;
  }

  /**
   * Keeps fetched updates (sealed by the caller) in the inbox, on disk before this returns: only
   * then may Telegram be told to forget them. Also deletes the rows of updates handled since the
   * last call (a deletion that is lost to a crash costs nothing: the row's update is recognised
   * as handled and the sweep takes it).
   */
  async receive(rows: readonly { update_id: number; body: string }[], handled: readonly number[]): Promise<void> {
    await (await this.keep(rows, handled)).onDisk;
  }

  /**
   * `receive` in two steps: returns once the rows are written (they may be handled from then on),
   * with `onDisk`, which resolves once they would survive the machine losing power too (only then
   * may Telegram be told to forget them). On SQLite the write is a commit like any other and
   * `onDisk` syncs the WAL off the event loop (engine.ts), so the bot goes on handling updates
   * while the disk works; on PostgreSQL the commit is durable as it is.
   */
  async keep(rows: readonly { update_id: number; body: string }[], handled: readonly number[]): Promise<{ onDisk: Promise<void> }> {
    const now = this.options.now();
    const sqlite = this.sqlite();
    if (sqlite !== undefined) {
      sqlite.receive(rows, handled, now);
      // Writes work again (after a full disk, say).
      this.failure = undefined;
      return { onDisk: rows.length > 0 && this.engine.flush !== undefined ? this.engine.flush() : Promise.resolve() };
    }
    await keepInInbox(this.engine.pool!, rows, handled, now);
    this.failure = undefined;
    return { onDisk: Promise.resolve() };
  }

  /** Inbox rows neither handled nor set aside, oldest first: what a stop or a crash left to do. */
  async unhandledInbox(): Promise<{ update_id: number; body: string }[]> {
    const rows = await this.db
      .selectFrom("inbox")
      .select(["update_id", "body"])
      .where("set_aside", "is", null)
      .where("body", "is not", null)
      .where((eb) => eb.not(eb.exists(eb.selectFrom("handled_updates").select("update_id").whereRef("handled_updates.update_id", "=", "inbox.update_id"))))
      .orderBy("update_id")
      .execute();
    return rows as { update_id: number; body: string }[];
  }

  /**
   * Records that an update failed, with the kind of error. A failure that was its own (`own`:
   * others were committed meanwhile, so the database works) counts; at `limit` counted failures
   * the update is set aside: its row keeps only `shape` for 48 hours, and it is not tried again.
   */
  async recordFailure(updateId: number, failure: { own: boolean; error: string; limit: number; shape: string }): Promise<{ attempts: number; setAside: boolean }> {
    const now = this.options.now();
    const sqlite = this.sqlite();
    if (sqlite !== undefined) return sqlite.recordFailure(updateId, failure, now);
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto("inbox")
        .values({ update_id: updateId, body: null, received: now, attempts: failure.own ? 1 : 0, error: failure.error })
        .onConflict((oc) => oc.column("update_id").doUpdateSet({ attempts: sql`inbox.attempts + ${failure.own ? 1 : 0}`, error: failure.error }))
        .returning(["attempts", "set_aside"])
        .executeTakeFirstOrThrow();
      if (row.set_aside !== null) return { attempts: row.attempts, setAside: true };
      if (row.attempts < failure.limit) return { attempts: row.attempts, setAside: false };
      await trx.updateTable("inbox").set({ set_aside: now, body: failure.shape }).where("update_id", "=", updateId).execute();
      return { attempts: row.attempts, setAside: true };
    });
  }

  /** Updates set aside and still kept, newest first, for the operator. */
  async setAside(): Promise<{ update_id: number; attempts: number; error: string | null; set_aside: number; shape: string | null }[]> {
    const rows = await this.db.selectFrom("inbox").select(["update_id", "attempts", "error", "set_aside", "body as shape"]).where("set_aside", "is not", null).orderBy("set_aside", "desc").execute();
    return rows as { update_id: number; attempts: number; error: string | null; set_aside: number; shape: string | null }[];
  }

  /** Adds one to this key's count for the current window and returns the count. */
  countHit(key: string, windowMs: number): Promise<number> {
    return countHitIn(this.db, key, windowMs, this.options.now());
  }

  /** Adds counts to the daily counters; replicas add to the same rows. */
  async addCounts(counts: { day: string; name: string; label: string; n: number }[]): Promise<void> {
    if (counts.length === 0) return;
    const sqlite = this.sqlite();
    if (sqlite !== undefined) return sqlite.addCounts(counts);
    await this.db.transaction().execute(async (trx) => {
      for (const c of counts) {
        await trx
          .insertInto("daily_counts")
          .values(c)
          .onConflict((oc) => oc.columns(["day", "name", "label"]).doUpdateSet({ n: sql`daily_counts.n + ${c.n}` }))
          .execute();
      }
    });
  }

  async countsSince(day: string): Promise<{ name: string; label: string; n: number }[]> {
    return this.db
      .selectFrom("daily_counts")
      .select(["name", "label", sql<number>`sum(n)`.as("n")])
      .where("day", ">=", day)
      .groupBy(["name", "label"])
      .orderBy("name")
      .orderBy(sql`sum(n)`, "desc")
      .orderBy("label")
      .execute()
      .then((rows) => rows.map((r) => ({ ...r, n: Number(r.n) })));
  }

  /**
   * Deletes chats idle longer than `maxIdleMs`, expired /forget marks, old update ids and rate
   * counts: a few hundred rows at a time, letting other work run in between, so a large sweep
   * never stalls the bot. Returns how many chat records went.
   */
  async sweep(maxIdleMs: number, db: Db = this.db): Promise<number> {
    const now = this.options.now();
    const inBatches = async (run: () => Promise<bigint>) => {
      let total = 0;
      for (;;) {
        const n = Number(await run());
        total += n;
        if (n < SWEEP_BATCH) return total;
        await turn();
      }
    };
    const removed = await inBatches(async () => {
      const r = await db.deleteFrom("records").where("key", "in", db.selectFrom("records").select("key").where("touched", "<", now - maxIdleMs).limit(SWEEP_BATCH)).executeTakeFirst();
      return r.numDeletedRows;
    });
    await inBatches(async () => {
      const r = await db
        .deleteFrom("records")
        .where("key", "in", db.selectFrom("records").select("key").where("key", "like", "f:%").where("touched", "<", now - FORGET_MARK_MS).limit(SWEEP_BATCH))
        .executeTakeFirst();
      return r.numDeletedRows;
    });
    await inBatches(async () => {
      const r = await db
        .deleteFrom("handled_updates")
        .where("update_id", "in", db.selectFrom("handled_updates").select("update_id").where("at", "<", now - HANDLED_KEEP_MS).limit(SWEEP_BATCH))
        .executeTakeFirst();
      return r.numDeletedRows;
    });
    // The inbox: updates set aside, kept 48 hours; rows whose update was handled (their cleanup
    // after the handling was cut short); and any row as old as Telegram's own memory.
    await inBatches(async () => {
      const r = await db
        .deleteFrom("inbox")
        .where(
          "update_id",
          "in",
          db
            .selectFrom("inbox")
            .select("update_id")
            .where((eb) =>
              eb.or([
                eb("set_aside", "<", now - HANDLED_KEEP_MS),
                eb("received", "<", now - HANDLED_KEEP_MS),
                eb.and([eb("set_aside", "is", null), eb.exists(eb.selectFrom("handled_updates").select("update_id").whereRef("handled_updates.update_id", "=", "inbox.update_id"))]),
              ]),
            )
            .limit(SWEEP_BATCH),
        )
        .executeTakeFirst();
      return r.numDeletedRows;
    });
    await db.deleteFrom("rate_limits").where("window_start", "<", now - 3_600_000).execute();
    return removed;
  }

  /** Sessions and conversations kept (the /forget marks are not a chat's data). */
  async count(): Promise<number> {
    const row = await this.db.selectFrom("records").select(sql<number>`count(*)`.as("n")).where((eb) => eb.or([eb("key", "like", "s:%"), eb("key", "like", "c:%")])).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** The stored size of one record, in characters of JSON; 0 when there is none. */
  async size(namespacedKey: string): Promise<number> {
    const row = await this.db.selectFrom("records").select("value").where("key", "=", namespacedKey).executeTakeFirst();
    return row?.value.length ?? 0;
  }

  async getMeta(key: string): Promise<string | undefined> {
    return (await this.db.selectFrom("meta").select("value").where("key", "=", key).executeTakeFirst())?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await setMeta(this.db, key, value);
  }

  /** Makes a job due again at its next `once`: what it set up was undone (the webhook, by polling). */
  async forgetJob(job: string): Promise<void> {
    await this.db.deleteFrom("meta").where("key", "=", `job:${job}`).execute();
  }

  /**
   * Runs a job that must run once per deployment, not once per replica: under an advisory lock on
   * PostgreSQL (a replica that finds it taken skips the job), and only when `fingerprint` (what
   * the job would set up) differs from what the last run recorded, or when it last ran longer than
   * `everyMs` ago. Returns whether it ran here.
   */
  async once(job: string, options: { fingerprint?: string; everyMs?: number }, run: (db: Db) => Promise<void>): Promise<boolean> {
    const getMeta = async (db: Db, key: string) => (await db.selectFrom("meta").select("value").where("key", "=", key).executeTakeFirst())?.value;
    const due = async (db: Db) => {
      const last = await getMeta(db, `job:${job}`);
      if (last === undefined) return true;
      const { fingerprint, at } = JSON.parse(last) as { fingerprint?: string; at: number };
      if (options.fingerprint !== undefined && fingerprint !== options.fingerprint) return true;
      return options.everyMs !== undefined && this.options.now() - at >= options.everyMs;
    };
    const record = (db: Db) => setMeta(db, `job:${job}`, JSON.stringify({ fingerprint: options.fingerprint, at: this.options.now() }));
    if (this.engine.kind !== "postgres") {
      if (!(await due(this.db))) return false;
      await run(this.db);
      await record(this.db);
      return true;
    }
    // The lock is the session's, so the job and its bookkeeping use the connection that holds it:
    // asking the pool for another could wait for ever with a pool of one.
    return this.db.connection().execute(async (conn) => {
      const lockKey = `job:${job}`;
      const taken = await sql<{ ok: boolean }>`select pg_try_advisory_lock(hashtextextended(${lockKey}, 0)) as ok`.execute(conn);
      if (taken.rows[0]?.ok !== true) return false;
      try {
        if (!(await due(conn))) return false;
        await run(conn);
        await record(conn);
        return true;
      } finally {
        await sql`select pg_advisory_unlock(hashtextextended(${lockKey}, 0))`.execute(conn);
      }
    });
  }

  /** Whether the database answers, is where it was opened, and took the last write. */
  async health(): Promise<Health> {
    if (!this.engine.inPlace()) return { ok: false, problem: `the database at ${this.engine.describe} was deleted or replaced while the bot ran` };
    try {
      await sql`select 1`.execute(this.db);
    } catch (error) {
      return { ok: false, problem: `the database does not answer: ${(error as Error).message}` };
    }
    return this.failure === undefined ? { ok: true } : { ok: false, problem: `the last write failed: ${this.failure}` };
  }

  /** Records a failure seen outside a unit of work (the counters' flush, the sweep), for /healthz. */
  reportFailure(message: string | undefined): void {
    this.failure = message;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.inFlight.values()]);
    await this.engine.close();
  }
}

async function setMeta(db: Db, key: string, value: string): Promise<void> {
  await db.insertInto("meta").values({ key, value }).onConflict((oc) => oc.column("key").doUpdateSet({ value })).execute();
}

const windowStartOf = (now: number, windowMs: number) => Math.floor(now / windowMs) * windowMs;

async function countHitIn(db: Db, key: string, windowMs: number, now: number): Promise<number> {
  const windowStart = windowStartOf(now, windowMs);
  const row = await db
    .insertInto("rate_limits")
    .values({ key, window_start: windowStart, n: 1 })
    .onConflict((oc) => oc.columns(["key", "window_start"]).doUpdateSet({ n: sql`rate_limits.n + 1` }))
    .returning("n")
    .executeTakeFirstOrThrow();
  return row.n;
}

/** A counting semaphore whose waiters go in arrival order and can give up. */
export class Slots {
  private free: number;
  private readonly waiters: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.free > 0) this.free--;
    else await this.wait(signal);
    try {
      return await task();
    } finally {
      const next = this.waiters.shift();
      if (next !== undefined) next();
      else this.free++;
    }
  }

  private wait(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted === true) return reject(new DOMException("gave up waiting for a database connection", "AbortError"));
      const waiter = () => {
        signal?.removeEventListener("abort", aborted);
        resolve();
      };
      const aborted = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new DOMException("gave up waiting for a database connection", "AbortError"));
      };
      signal?.addEventListener("abort", aborted, { once: true });
      this.waiters.push(waiter);
    });
  }
}

/**
 * SQLite's side of what runs on every update, and every write that needs a transaction: plain
 * statements prepared once, run synchronously on Kysely's own connection. Building each query
 * through Kysely took about a fifth of the bot's CPU per update (npm run bench). A transaction
 * here begins and commits within one synchronous call, so none is ever open across an await,
 * where another update's statements could land inside it; every SQLite transaction the bot runs
 * after start-up is one of these.
 */
class SqliteStatements {
  private readonly readChat: Statement;
  private readonly readChatWithConversation: Statement;
  private readonly readHandled: Statement;
  private readonly readRecord: Statement;
  private readonly put: Statement;
  private readonly remove: Statement;
  private readonly mark: Statement;
  private readonly failure: Statement;
  private readonly setAsideRow: Statement;
  private readonly addCount: Statement;
  private readonly insertInbox: Statement;
  private readonly deleteInbox: Statement;
  private readonly receiveRows: (rows: readonly { update_id: number; body: string }[], handled: readonly number[], now: number) => void;
  private readonly commitWrites: (writes: readonly Write[], updateId: number, at: number) => void;
  private readonly commitMany: (units: readonly PendingCommit[]) => void;
  /** Units done with their work whose commit waits for the end of this turn of the event loop. */
  private pending: PendingCommit[] = [];

  constructor(private readonly db: SqliteDatabase) {
    const handled = `SELECT '${HANDLED_ROW}' AS key, '' AS value, at AS touched FROM handled_updates WHERE update_id = ?`;
    this.readChat = db.prepare(`SELECT key, value, touched FROM records WHERE key IN (?, ?) UNION ALL ${handled}`);
    this.readChatWithConversation = db.prepare(`SELECT key, value, touched FROM records WHERE key IN (?, ?, ?) UNION ALL ${handled}`);
    this.readHandled = db.prepare(handled);
    this.readRecord = db.prepare("SELECT value, touched FROM records WHERE key = ?");
    this.put = db.prepare("INSERT INTO records (key, value, touched) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, touched = excluded.touched");
    this.remove = db.prepare("DELETE FROM records WHERE key = ?");
    this.mark = db.prepare("INSERT INTO handled_updates (update_id, at) VALUES (?, ?) ON CONFLICT (update_id) DO NOTHING");
    this.failure = db.prepare(
      "INSERT INTO inbox (update_id, body, received, attempts, error) VALUES (?, NULL, ?, ?, ?) ON CONFLICT (update_id) DO UPDATE SET attempts = inbox.attempts + excluded.attempts, error = excluded.error RETURNING attempts, set_aside",
    );
    this.setAsideRow = db.prepare("UPDATE inbox SET set_aside = ?, body = ? WHERE update_id = ?");
    this.addCount = db.prepare("INSERT INTO daily_counts (day, name, label, n) VALUES (?, ?, ?, ?) ON CONFLICT (day, name, label) DO UPDATE SET n = daily_counts.n + excluded.n");
    this.insertInbox = db.prepare("INSERT INTO inbox (update_id, body, received, attempts) VALUES (?, ?, ?, 0) ON CONFLICT (update_id) DO NOTHING");
    this.deleteInbox = db.prepare("DELETE FROM inbox WHERE update_id = ? AND set_aside IS NULL");
    this.receiveRows = this.transaction((rows: readonly { update_id: number; body: string }[], handled: readonly number[], now: number) => {
      for (const id of handled) this.deleteInbox.run(id);
      for (const r of rows) this.insertInbox.run(r.update_id, r.body, now);
    });
    const apply = (writes: readonly Write[], updateId: number, at: number) => {
      for (const w of writes) {
        if (w.value === undefined) this.remove.run(w.key);
        else this.put.run(w.key, w.value, at);
      }
      this.mark.run(updateId, at);
    };
    this.commitWrites = this.transaction(apply);
    this.commitMany = this.transaction((units: readonly PendingCommit[]) => {
      for (const u of units) apply(u.writes, u.updateId, u.at);
    });
  }

  read(updateId: number, key: string | undefined, withConversation: boolean): Row[] {
    if (key === undefined) return this.readHandled.all(updateId) as Row[];
    if (withConversation) return this.readChatWithConversation.all(`s:${key}`, `f:${key}`, `c:${key}`, updateId) as Row[];
    return this.readChat.all(`s:${key}`, `f:${key}`, updateId) as Row[];
  }

  readOne(key: string): { value: string; touched: number } | undefined {
    return this.readRecord.get(key) as { value: string; touched: number } | undefined;
  }

  /** What changed and the handled mark: the mark alone is one statement, atomic by itself; with changes, one transaction holds them all. */
  commit(writes: readonly Write[], updateId: number, at: number): void {
    if (writes.length === 0) this.mark.run(updateId, at);
    else this.commitWrites(writes, updateId, at);
  }

  /** Fetched updates into the inbox and handled ones out of it, in one transaction. */
  receive(rows: readonly { update_id: number; body: string }[], handled: readonly number[], now: number): void {
    if (rows.length > 0 || handled.length > 0) this.receiveRows(rows, handled, now);
  }

  /**
   * Commits a unit at the end of this turn of the event loop, together with the other units that
   * finished in it: one transaction writes the pages they share (the handled marks' above all)
   * once. Resolves once committed. Should the shared transaction fail, each unit is committed
   * alone, so that a unit whose own write fails fails alone.
   */
  commitSoon(writes: readonly Write[], updateId: number, at: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ writes, updateId, at, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.commitPending());
    });
  }

  private commitPending(): void {
    const units = this.pending;
    this.pending = [];
    if (units.length > 1) {
      try {
        this.commitMany(units);
        for (const u of units) u.resolve();
        return;
      } catch {
        // Each alone, below.
      }
    }
    for (const u of units) {
      try {
        this.commit(u.writes, u.updateId, u.at);
        u.resolve();
      } catch (error) {
        u.reject(error);
      }
    }
  }

  recordFailure(updateId: number, failure: { own: boolean; error: string; limit: number; shape: string }, now: number): { attempts: number; setAside: boolean } {
    return this.transaction(() => {
      const row = this.failure.get(updateId, now, failure.own ? 1 : 0, failure.error) as { attempts: number; set_aside: number | null };
      if (row.set_aside !== null) return { attempts: row.attempts, setAside: true };
      if (row.attempts < failure.limit) return { attempts: row.attempts, setAside: false };
      this.setAsideRow.run(now, failure.shape, updateId);
      return { attempts: row.attempts, setAside: true };
    })();
  }

  addCounts(counts: readonly { day: string; name: string; label: string; n: number }[]): void {
    this.transaction(() => {
      for (const c of counts) this.addCount.run(c.day, c.name, c.label, c.n);
    })();
  }

  /** A transaction of its own, never a savepoint inside another's: one open here would mean a statement slipped in between. */
  private transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    const run = this.db.transaction(fn);
    return (...args: A) => {
      if (this.db.inTransaction) throw new Error("a transaction is already open on the SQLite connection");
      return run(...args);
    };
  }
}
