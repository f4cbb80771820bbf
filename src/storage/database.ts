import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";

/**
 * Each entry moves the schema one version forward. Never edit an entry that has shipped:
 * deployed databases have already run it. Append a new one instead.
 */
const MIGRATIONS: readonly string[] = [
  // 1: every per-chat record (sessions, conversations) under an anonymous key.
  `CREATE TABLE records (
     key     TEXT PRIMARY KEY,
     value   TEXT NOT NULL,
     touched INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX records_touched ON records (touched);`,
  // 2: anonymous daily counters for the operator. No user key, by design.
  `CREATE TABLE daily_counts (
     day   TEXT NOT NULL,
     name  TEXT NOT NULL,
     label TEXT NOT NULL DEFAULT '',
     n     INTEGER NOT NULL,
     PRIMARY KEY (day, name, label)
   ) WITHOUT ROWID;`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export type Db = Database.Database;

export function openDatabase(path: string): Db {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  // WAL with NORMAL is durable across process crashes; only an OS crash may lose the last commits.
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  // Deleted rows are overwritten with zeros, so /forget and expiry leave nothing in free pages.
  db.pragma("secure_delete = ON");
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `The database schema is version ${current}, newer than this program knows (${SCHEMA_VERSION}). Update the bot or use another DATABASE_PATH.`,
    );
  }
  for (let version = current; version < SCHEMA_VERSION; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
