import type { Kysely, Migration, MigrationProvider } from "kysely";

/**
 * The schema, one step at a time, in Kysely's schema builder so that the same steps run on
 * SQLite and PostgreSQL. Never edit a step that has shipped: deployed databases have run it;
 * add a new one. The first two match the tables of databases made before Kysely (they are
 * created only if missing), so those upgrade in place.
 */
const steps: Record<string, Migration> = {
  "2026-11-28-1-records": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("records")
        .ifNotExists()
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("value", "text", (c) => c.notNull())
        .addColumn("touched", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("records_touched").ifNotExists().on("records").column("touched").execute();
    },
  },
  "2026-11-28-2-daily-counts": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("daily_counts")
        .ifNotExists()
        .addColumn("day", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("label", "text", (c) => c.notNull().defaultTo(""))
        .addColumn("n", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("daily_counts_pk", ["day", "name", "label"])
        .execute();
    },
  },
  "2026-11-29-3-handled-updates": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("handled_updates")
        .addColumn("update_id", "bigint", (c) => c.primaryKey())
        .addColumn("at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("handled_updates_at").on("handled_updates").column("at").execute();
    },
  },
  "2026-11-29-4-rate-limits": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("rate_limits")
        .addColumn("key", "text", (c) => c.notNull())
        .addColumn("window_start", "bigint", (c) => c.notNull())
        .addColumn("n", "integer", (c) => c.notNull())
        .addPrimaryKeyConstraint("rate_limits_pk", ["key", "window_start"])
        .execute();
      await db.schema.createIndex("rate_limits_window").on("rate_limits").column("window_start").execute();
    },
  },
  "2026-11-29-5-meta": {
    async up(db: Kysely<unknown>) {
      await db.schema.createTable("meta").addColumn("key", "text", (c) => c.primaryKey()).addColumn("value", "text", (c) => c.notNull()).execute();
    },
  },
  "2026-12-01-6-inbox": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("inbox")
        .addColumn("update_id", "bigint", (c) => c.primaryKey())
        .addColumn("body", "text")
        .addColumn("received", "bigint", (c) => c.notNull())
        .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("error", "text")
        .addColumn("set_aside", "bigint")
        .execute();
    },
  },
};

export const migrations: MigrationProvider = { getMigrations: async () => steps };

/** The newest step this program knows: a database that has run a later one belongs to a newer version. */
export const LATEST_MIGRATION = Object.keys(steps).sort().at(-1)!;

/** Kysely keeps its own bookkeeping tables; these names keep them apart from the bot's. */
export const MIGRATION_TABLES = { migrationTableName: "schema_migrations", migrationLockTableName: "schema_migrations_lock" };

