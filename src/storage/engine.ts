import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import { LATEST_MIGRATION, MIGRATION_TABLES, migrations } from "./migrations.js";
import type { Tables } from "./tables.js";

/** A storage problem an operator can fix: printed as one line, never as a stack trace. */
export class StorageError extends Error {}

/** The database could not be reached or read at start-up (a server down, a file not readable); its cause says why. */
export class DatabaseOpenError extends Error {
  constructor(cause: unknown) {
    super("cannot open the database", { cause });
  }
}

/** Whatever opening the database threw, as the error start-up reports: StorageError already speaks to the operator. */
export function asOpenError(error: unknown): Error {
  return error instanceof StorageError ? error : new DatabaseOpenError(error);
}

export type Where = { engine: "sqlite"; path: string } | { engine: "postgres"; url: string; poolSize: number };

export interface Engine {
  kind: "sqlite" | "postgres";
  db: Kysely<Tables>;
  /** Where the data is, for logs: the file, or the server without credentials. */
  describe: string;
  /** Connections it may open at once (SQLite: one, used synchronously). */
  poolSize: number;
  /**
   * SQLite: puts every commit made so far on disk, without holding up the event loop. Commits use
   * synchronous=NORMAL, which survives the process being killed but not the machine losing power;
   * the inbox needs more (storage.ts). In WAL mode a commit is its frames appended to the WAL
   * file, so an fdatasync of that file, on libuv's thread pool, makes every commit before it
   * durable; frames a checkpoint has already copied out are in the database file, which SQLite
   * syncs before it reuses the WAL. Without WAL (a file system that refuses it) commits are FULL
   * and this does nothing. PostgreSQL commits are durable as they are.
   */
  flush?: () => Promise<void>;
  /**
   * SQLite: the connection Kysely uses, for the statements that run on every update, prepared
   * once and run synchronously (storage.ts). Its transactions never span an await, so no other
   * statement can land inside one.
   */
  sqlite?: Database.Database;
  /** PostgreSQL: the pool Kysely uses, for the statements that run on every update (postgres-unit.ts). */
  pool?: pg.Pool;
  /** Whether the database is where it was opened (a SQLite file deleted or replaced while running is not). */
  inPlace(): boolean;
  close(): Promise<void>;
}

/** Opens the database, checks it, and brings its schema up to date. */
export async function openEngine(where: Where): Promise<Engine> {
  const engine = where.engine === "sqlite" ? openSqlite(where.path) : openPostgres(where.url, where.poolSize);
  try {
    await migrate(engine.db, engine.describe);
  } catch (error) {
    await engine.close().catch(() => undefined);
    throw error;
  }
  return engine;
}

async function migrate(db: Kysely<Tables>, describe: string): Promise<void> {
  const migrator = new Migrator({ db, provider: migrations, ...MIGRATION_TABLES });
  const { error, results } = await migrator.migrateToLatest();
  const applied = (results ?? []).filter((r) => r.status === "Error");
  if (error !== undefined) {
    const message = error instanceof Error ? error.message : String(error);
    // Kysely refuses a database that has run steps this version does not have.
    if (/corrupted migrations/i.test(message)) {
      throw new StorageError(`The database at ${describe} was set up by a newer version of the bot (it has schema steps after ${LATEST_MIGRATION}). Update the bot, or use another database.`);
    }
    throw new StorageError(`Cannot update the database schema at ${describe}${applied.length > 0 ? ` (step ${applied[0]!.migrationName})` : ""}: ${message}`);
  }
}

function openSqlite(path: string): Engine {
  const memory = path === ":memory:";
  let identity: { dev: number; ino: number } | undefined;
  if (!memory) {
    mkdirSync(dirname(path), { recursive: true });
    // The data are anonymous, but still nobody else's business: owner-only, like the secret. SQLite
    // gives the WAL and shared-memory files the database file's permissions.
    if (!existsSync(path)) closeSync(openSync(path, "a", 0o600));
    else chmodSync(path, 0o600);
  }
  let raw: Database.Database;
  let wal = false;
  try {
    raw = new Database(path);
    wal = raw.pragma("journal_mode = WAL", { simple: true }) === "wal";
    // WAL with NORMAL: a commit survives the process being killed; only an OS crash may lose the last
    // ones (what must survive that too is flushed: `flush`). Without WAL, every commit waits for the disk.
    raw.pragma(wal ? "synchronous = NORMAL" : "synchronous = FULL");
    raw.pragma("busy_timeout = 5000");
    // Deleted rows are overwritten, so /forget and expiry leave nothing in free pages.
    raw.pragma("secure_delete = ON");
    const check = raw.pragma("quick_check", { simple: true });
    if (check !== "ok") throw new StorageError(`The database file ${path} is damaged (${String(check)}). Restore it from a backup, or move it away to start afresh.`);
  } catch (error) {
    if (error instanceof StorageError) throw error;
    throw new StorageError(`The database file ${path} cannot be used (${(error as Error).message}). Restore it from a backup, or move it away to start afresh.`);
  }
  if (!memory) {
    const stat = statSync(path);
    identity = { dev: stat.dev, ino: stat.ino };
  }
  const walFile = wal && !memory ? syncedFile(`${path}-wal`) : undefined;
  return {
    kind: "sqlite",
    db: new Kysely<Tables>({ dialect: new SqliteDialect({ database: withStatementCache(raw) }) }),
    describe: path,
    poolSize: 1,
    flush: async () => walFile?.sync(),
    sqlite: raw,
    inPlace() {
      if (identity === undefined) return true;
      try {
        const stat = statSync(path);
        return stat.dev === identity.dev && stat.ino === identity.ino;
      } catch {
        return false;
      }
    },
    async close() {
      await walFile?.close();
      if (raw.open) await this.db.destroy();
    },
  };
}

/**
 * A file synced with fdatasync on libuv's thread pool, opened at the first sync (SQLite creates
 * the WAL at the first write); its folder is synced once too, so the file's name is on disk.
 */
function syncedFile(path: string): { sync(): Promise<void>; close(): Promise<void> } {
  let handle: Promise<FileHandle> | undefined;
  const opened = async () => {
    const file = await open(path, "r");
    const folder = await open(dirname(path), "r");
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
    return file;
  };
  return {
    async sync() {
      handle ??= opened();
      try {
        await (await handle).datasync();
      } catch (error) {
        // Opened afresh next time (the file may have been missing).
        const failed = handle;
        handle = undefined;
        await failed.then((h) => h.close()).catch(() => undefined);
        throw error;
      }
    },
    async close() {
      const h = handle;
      handle = undefined;
      await h?.then((f) => f.close()).catch(() => undefined);
    },
  };
}

/**
 * Kysely prepares every query afresh; the bot runs the same few dozen statements over and over,
 * and preparing them took about a tenth of the CPU per update (npm run bench). A statement is
 * safe to reuse here: better-sqlite3 runs it synchronously, so no two uses overlap.
 */
function withStatementCache(raw: Database.Database): Database.Database {
  const cache = new Map<string, Database.Statement>();
  return new Proxy(raw, {
    get(target, property) {
      if (property === "prepare") {
        return (source: string) => {
          let statement = cache.get(source);
          if (statement === undefined) {
            // Queries with a varying number of values (IN lists, batches) must not grow the cache without end.
            if (cache.size >= 500) cache.clear();
            statement = target.prepare(source);
            cache.set(source, statement);
          }
          return statement;
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Numbers the bot stores (milliseconds, counts) fit a double; PostgreSQL's bigint arrives as text otherwise. */
const INT8 = 20;

function openPostgres(url: string, poolSize: number): Engine {
  const parsed = new URL(url);
  const describe = `postgres://${parsed.hostname}${parsed.port === "" ? "" : `:${parsed.port}`}${parsed.pathname}`;
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: "asylum-basics-bot",
    // A chat's transaction stays open while its update is handled (Bot API calls included); one a
    // replica abandoned is ended by the server rather than holding the chat's lock. Every commit
    // waits for the server's disk, whatever the role or database says: the inbox's write comes
    // before Telegram is told to forget, and the webhook answers after the unit's commit.
    options: "-c idle_in_transaction_session_timeout=60000 -c statement_timeout=15000 -c synchronous_commit=on",
    types: { getTypeParser: ((oid: number, format?: "text" | "binary") => (oid === INT8 ? Number : pg.types.getTypeParser(oid, format as "text"))) as typeof pg.types.getTypeParser },
  });
  // An idle connection dropped by the server must not take the process down; the next query reconnects.
  pool.on("error", () => undefined);
  // Nor one dropped while checked out (a unit of work's, between its round trips, while its
  // handlers call the Bot API): the pool listens only to idle ones, and an "error" event nobody
  // listens to is thrown. Its holder learns of it from its next query, and drops it.
  pool.on("connect", (client) => client.on("error", () => undefined));
  return {
    kind: "postgres",
    db: new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) }),
    describe,
    poolSize,
    pool,
    inPlace: () => true,
    async close() {
      await this.db.destroy();
    },
  };
}
