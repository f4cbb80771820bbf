import pg from "pg";
import type { Row, Write } from "./storage.js";

/**
 * PostgreSQL's side of what runs on every update, in as few round trips as the work allows: the
 * unit of work's begin, chat lock, read (and rate count) go in one simple-protocol message, and
 * its writes, handled mark and commit in another. At READ COMMITTED each statement in such a
 * message takes its own snapshot, so the read after the lock sees what the lock's last holder
 * committed. Built through Kysely, a round trip per statement, a unit cost the bot 13-26% more CPU
 * per update, and PostgreSQL 22-27% more (npm run bench, README "Performance", change 6).
 *
 * A message of several statements cannot carry parameters, so every value goes in as SQL text:
 * integers checked to be integers, strings as escaped literals (pg's escapeLiteral). None of them
 * comes from a user unaltered: keys are anonymous, values are JSON the bot wrote.
 */

/** Stands for "this update was handled before" among the rows a unit of work reads (on SQLite too). */
export const HANDLED_ROW = "#handled";

const int = (n: number): string => {
  if (!Number.isSafeInteger(n)) throw new TypeError(`not an integer for SQL: ${n}`);
  return String(n);
};
/**
 * A string as an SQL literal. pg's escapeLiteral walks the string a character at a time; most of
 * ours (sealed updates, anonymous keys) have nothing to escape. Anything but a string is refused:
 * its text could differ from one conversion to the next.
 */
const text = (s: string): string => {
  if (typeof s !== "string") throw new TypeError(`not a string for SQL: ${typeof s}`);
  return /['\\]/.test(s) ? pg.escapeLiteral(s) : `'${s}'`;
};

// Unnamed: a named statement is remembered per connection by pg, which a pooler in transaction
// mode (PgBouncer) would break.
const READ_RECORD = "SELECT value, touched FROM records WHERE key = $1";

const countHitSql = (key: string, windowStart: number) =>
  `INSERT INTO rate_limits (key, window_start, n) VALUES (${text(key)}, ${int(windowStart)}, 1) ON CONFLICT (key, window_start) DO UPDATE SET n = rate_limits.n + 1 RETURNING n`;

/** A unit of work's connection, in its transaction from `begin` until `commit` or `rollback`. */
export class PostgresUnit {
  /** The connection is broken (a rollback failed): it is dropped, not returned to the pool. */
  private broken: Error | undefined;
  private released = false;

  private constructor(private readonly client: pg.PoolClient) {}

  /**
   * Takes a connection, begins, waits for the lock on `lockKey`, and reads in one round trip: the
   * update's handled mark, `keys`' records, and with `count`, the count of `count.key` in its
   * window after adding this update to it.
   */
  static async begin(
    pool: pg.Pool,
    lockKey: string,
    updateId: number,
    keys: readonly string[],
    count: { key: string; windowStart: number } | undefined,
  ): Promise<{ unit: PostgresUnit; rows: Row[]; count: number | undefined }> {
    // Built before a connection is taken, so that a value refused here holds none.
    const handled = `SELECT '${HANDLED_ROW}' AS key, '' AS value, at AS touched FROM handled_updates WHERE update_id = ${int(updateId)}`;
    const read = keys.length === 0 ? handled : `SELECT key, value, touched FROM records WHERE key IN (${keys.map(text).join(", ")}) UNION ALL ${handled}`;
    // READ COMMITTED whatever the database's default: under a stricter level the snapshot would be
    // taken at the lock's statement, before the lock is granted, and the read would be stale.
    const statements = ["BEGIN ISOLATION LEVEL READ COMMITTED", `SELECT pg_advisory_xact_lock(hashtextextended(${text(lockKey)}, 0))`, read];
    if (count !== undefined) statements.push(countHitSql(count.key, count.windowStart));
    const client = await pool.connect();
    const unit = new PostgresUnit(client);
    try {
      const results = (await client.query(statements.join(";\n"))) as unknown as pg.QueryResult[];
      if (!Array.isArray(results) || results.length !== statements.length) throw new Error(`expected ${statements.length} results from the unit's first round trip`);
      const rows = results[2]!.rows as Row[];
      const counted = count === undefined ? undefined : (results[3]!.rows[0] as { n: number }).n;
      return { unit, rows, count: counted };
    } catch (error) {
      await unit.rollback();
      throw error;
    }
  }

  async readOne(key: string): Promise<{ value: string; touched: number } | undefined> {
    const result = await this.client.query<{ value: string; touched: number }>(READ_RECORD, [key]);
    return result.rows[0];
  }

  async countHit(key: string, windowStart: number): Promise<number> {
    const result = await this.client.query<{ n: number }>(countHitSql(key, windowStart));
    return result.rows[0]!.n;
  }

  /** Writes what changed and the handled mark, and commits, in one round trip; the connection goes back to the pool. */
  async commit(writes: readonly Write[], updateId: number, at: number): Promise<void> {
    const statements: string[] = [];
    const deletes = writes.filter((w) => w.value === undefined).map((w) => text(w.key));
    if (deletes.length > 0) statements.push(`DELETE FROM records WHERE key IN (${deletes.join(", ")})`);
    const puts = writes.filter((w): w is { key: string; value: string } => w.value !== undefined).map((w) => `(${text(w.key)}, ${text(w.value)}, ${int(at)})`);
    if (puts.length > 0) statements.push(`INSERT INTO records (key, value, touched) VALUES ${puts.join(", ")} ON CONFLICT (key) DO UPDATE SET value = excluded.value, touched = excluded.touched`);
    statements.push(`INSERT INTO handled_updates (update_id, at) VALUES (${int(updateId)}, ${int(at)}) ON CONFLICT (update_id) DO NOTHING`, "COMMIT");
    try {
      await this.client.query(statements.join(";\n"));
    } catch (error) {
      // A failed statement skips the rest, COMMIT included: the transaction is still open, aborted.
      await this.rollback();
      throw error;
    }
    this.release();
  }

  /** Ends the transaction without its writes; the connection goes back to the pool, or is dropped if it no longer answers. */
  async rollback(): Promise<void> {
    if (this.released) return;
    try {
      await this.client.query("ROLLBACK");
    } catch (error) {
      this.broken = error as Error;
    }
    this.release();
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    this.client.release(this.broken);
  }
}

/**
 * Fetched updates into the inbox and handled ones out of it, in one round trip: the statements of
 * one simple-protocol message without BEGIN run as one transaction.
 */
export async function keepInInbox(pool: pg.Pool, rows: readonly { update_id: number; body: string }[], handled: readonly number[], now: number): Promise<void> {
  const statements: string[] = [];
  if (handled.length > 0) statements.push(`DELETE FROM inbox WHERE update_id IN (${handled.map(int).join(", ")}) AND set_aside IS NULL`);
  if (rows.length > 0) {
    const values = rows.map((r) => `(${int(r.update_id)}, ${text(r.body)}, ${int(now)}, 0)`);
    statements.push(`INSERT INTO inbox (update_id, body, received, attempts) VALUES ${values.join(", ")} ON CONFLICT (update_id) DO NOTHING`);
  }
  if (statements.length > 0) await pool.query(statements.join(";\n"));
}
