import { mkdtempSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { sql } from "kysely";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { assemble } from "../src/app.js";
import { createLogger } from "../src/logger.js";
import { createAnonymizer } from "../src/privacy/anon-key.js";
import { openEngine, StorageError, type Where } from "../src/storage/engine.js";
import { DUPLICATE, Slots, Storage } from "../src/storage/storage.js";
import { LogCapture } from "./support/harness.js";
import { NO_POSTGRES, POSTGRES_URL, postgresFor } from "./support/postgres.js";

const tempDir = () => mkdtempSync(join(tmpdir(), "asylum-storage-"));
const logger = createLogger({ level: "silent", destination: new LogCapture() });

async function where(engine: "sqlite" | "postgres"): Promise<Where> {
  return engine === "sqlite" ? { engine, path: join(tempDir(), "bot.sqlite") } : { engine, url: await postgresFor(), poolSize: 10 };
}

async function open(w: Where, now: () => number = Date.now) {
  return new Storage(await openEngine(w), { now });
}

let nextUpdate = 1;

/** Several stores on one database, as replicas have: opened together on PostgreSQL (replicas start at once), in turn on SQLite (one process per file). */
async function replicas(w: Where, n: number): Promise<Storage[]> {
  if (w.engine === "postgres") return Promise.all(Array.from({ length: n }, () => open(w)));
  const out: Storage[] = [];
  for (let i = 0; i < n; i++) out.push(await open(w));
  return out;
}

/** One update's unit of work that sets the chat's session to `value`. */
function setSession(storage: Storage, key: string, value: unknown) {
  return storage.handle(nextUpdate++, key, async (chat) => void chat!.setSession(value));
}

async function session(storage: Storage, key: string) {
  let value: unknown;
  await storage.handle(nextUpdate++, key, async (chat) => void (value = chat!.session()));
  return value;
}

const engines = [["sqlite"], ["postgres"]] as const;

describe.each(engines)("storage on %s", (engine) => {
  const skip = engine === "postgres" && POSTGRES_URL === undefined;

  it.skipIf(skip)(`reads, writes and deletes a chat's session and conversation in one unit of work per update${engine === "postgres" ? NO_POSTGRES : ""}`, async () => {
    const storage = await open(await where(engine));
    expect(await session(storage, "k")).toBeUndefined();
    await setSession(storage, "k", { lang: "ru" });
    expect(await session(storage, "k")).toEqual({ lang: "ru" });
    await storage.handle(nextUpdate++, "k", async (chat) => chat!.setConversation({ step: 1 }));
    let conversation: unknown;
    await storage.handle(nextUpdate++, "k", async (chat) => void (conversation = await chat!.conversation()));
    expect(conversation).toEqual({ step: 1 });
    expect(await storage.count()).toBe(2);
    await storage.handle(nextUpdate++, "k", async (chat) => chat!.forget(7));
    expect(await storage.count()).toBe(0);
    let mark: unknown;
    await storage.handle(nextUpdate++, "k", async (chat) => void (mark = chat!.forgetMark()));
    expect(mark).toMatchObject({ upTo: 7 });
    await storage.close();
  });

  it.skipIf(skip)("an update is handled once: a repeat, in turn or at the same time, is a duplicate and its work does not run", async () => {
    const storage = await open(await where(engine));
    let runs = 0;
    const work = async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 50));
      return "done";
    };
    expect(await storage.handle(5_000_001, "k", work)).toBe("done");
    expect(await storage.handle(5_000_001, "k", work)).toBe(DUPLICATE);
    const together = await Promise.all([storage.handle(5_000_002, undefined, work), storage.handle(5_000_002, undefined, work)]);
    expect(together.filter((r) => r === "done")).toHaveLength(1);
    expect(together.filter((r) => r === DUPLICATE)).toHaveLength(1);
    expect(runs).toBe(2);
    await storage.close();
  });

  it.skipIf(skip)("nothing is committed when the work fails, and the update can be tried again", async () => {
    const storage = await open(await where(engine));
    await expect(storage.handle(6_000_001, "k", async (chat) => {
      chat!.setSession({ lang: "en" });
      throw new Error("the bot failed");
    })).rejects.toThrow("the bot failed");
    expect(await session(storage, "k")).toBeUndefined();
    expect(await storage.handle(6_000_001, "k", async (chat) => void chat!.setSession({ lang: "ru" }))).toBeUndefined();
    expect(await session(storage, "k")).toEqual({ lang: "ru" });
    await storage.close();
  });

  it.skipIf(skip)("keeps data across a reopen, and its schema is Kysely's migrations", async () => {
    const w = await where(engine);
    let storage = await open(w);
    await setSession(storage, "key", { n: 1 });
    await storage.close();
    storage = await open(w);
    expect(await session(storage, "key")).toEqual({ n: 1 });
    const steps = await storage.db.selectFrom("schema_migrations" as never).select("name" as never).execute();
    expect(steps.length).toBe(6);
    await storage.close();
  });

  it.skipIf(skip)("counters add up, and a once-per-deployment job runs again only when what it sets up changes", async () => {
    const storage = await open(await where(engine));
    await storage.addCounts([{ day: "2026-11-29", name: "topic", label: "bond", n: 2 }]);
    await storage.addCounts([{ day: "2026-11-29", name: "topic", label: "bond", n: 3 }]);
    expect(await storage.countsSince("2026-11-01")).toEqual([{ name: "topic", label: "bond", n: 5 }]);
    let runs = 0;
    const job = async () => void runs++;
    expect(await storage.once("profile", { fingerprint: "a" }, job)).toBe(true);
    expect(await storage.once("profile", { fingerprint: "a" }, job)).toBe(false);
    expect(await storage.once("profile", { fingerprint: "b" }, job)).toBe(true);
    expect(runs).toBe(2);
    await storage.close();
  });

  it.skipIf(skip)("the sweep deletes idle chats, old /forget marks and old update ids, in small batches", async () => {
    let now = Date.UTC(2026, 0, 1);
    const storage = await open(await where(engine), () => now);
    await setSession(storage, "old", { a: 1 });
    now += 20 * 86_400_000;
    await setSession(storage, "recent", { a: 2 });
    await storage.handle(nextUpdate++, "gone", async (chat) => chat!.forget(3));
    now += 11 * 86_400_000;
    expect(await storage.sweep(30 * 86_400_000)).toBe(1);
    expect(await session(storage, "recent")).toEqual({ a: 2 });
    expect((await storage.db.selectFrom("records").select("key").where("key", "like", "f:%").execute()).length).toBe(0);
    expect((await storage.db.selectFrom("handled_updates").select("update_id").where("at", "<", now - 48 * 3_600_000).execute()).length).toBe(0);
    await storage.close();
  });

  it.skipIf(skip)("the inbox keeps what it receives until it is handled; failures count only when they are the update's own, and set it aside at the limit; the sweep keeps what is set aside 48 hours", async () => {
    let now = Date.UTC(2026, 0, 1);
    const storage = await open(await where(engine), () => now);
    await storage.receive([{ update_id: 7_000_001, body: "sealed-1" }, { update_id: 7_000_002, body: "sealed-2" }], []);
    // Received twice (a refetch after a failed confirmation): kept once.
    await storage.receive([{ update_id: 7_000_002, body: "sealed-2" }], []);
    expect(await storage.unhandledInbox()).toEqual([{ update_id: 7_000_001, body: "sealed-1" }, { update_id: 7_000_002, body: "sealed-2" }]);
    await storage.handle(7_000_001, "k", async () => undefined);
    // Handled but not yet deleted (a crash in between): not handled again.
    expect((await storage.unhandledInbox()).map((r) => r.update_id)).toEqual([7_000_002]);
    await storage.receive([], [7_000_001]);
    expect((await storage.db.selectFrom("inbox").select("update_id").execute()).map((r) => Number(r.update_id))).toEqual([7_000_002]);
    const fail = (own: boolean) => storage.recordFailure(7_000_002, { own, error: "SqliteError", limit: 3, shape: '{"message":{"text":"string(4)"}}' });
    expect(await fail(false)).toEqual({ attempts: 0, setAside: false });
    expect(await fail(true)).toEqual({ attempts: 1, setAside: false });
    expect(await fail(true)).toEqual({ attempts: 2, setAside: false });
    expect(await fail(true)).toEqual({ attempts: 3, setAside: true });
    expect(await storage.unhandledInbox()).toEqual([]);
    expect(await storage.setAside()).toEqual([{ update_id: 7_000_002, attempts: 3, error: "SqliteError", set_aside: now, shape: '{"message":{"text":"string(4)"}}' }]);
    // A failure of an update never received (webhook mode) is recorded without a body.
    expect(await storage.recordFailure(7_000_003, { own: true, error: "x", limit: 3, shape: "{}" })).toEqual({ attempts: 1, setAside: false });
    now += 47 * 3_600_000;
    await storage.sweep(30 * 86_400_000);
    expect((await storage.setAside()).map((r) => Number(r.update_id))).toEqual([7_000_002]);
    now += 2 * 3_600_000;
    await storage.sweep(30 * 86_400_000);
    expect(await storage.setAside()).toEqual([]);
    expect(await storage.db.selectFrom("inbox").select("update_id").execute()).toEqual([]);
    await storage.close();
  });

  it.skipIf(skip)("sweeping 100,000 expired chats lets other work run between small batches", { timeout: 120_000 }, async () => {
    let now = Date.UTC(2026, 0, 1);
    const storage = await open(await where(engine), () => now);
    const rows = Array.from({ length: 100_000 }, (_, i) => ({ key: `s:expired-${i}`, value: '{"lang":"ru"}', touched: now }));
    for (let i = 0; i < rows.length; i += 5_000) await storage.db.insertInto("records").values(rows.slice(i, i + 5_000)).execute();
    now += 31 * 86_400_000;
    // Another task that wants the event loop, as an update would: one DELETE of everything (the
    // old sweep) let it run once, after 0.4 s per 32,000 rows. `npm run bench` measures the stall.
    let turns = 0;
    let sweeping = true;
    const other = () => {
      turns++;
      if (sweeping) setImmediate(other);
    };
    setImmediate(other);
    expect(await storage.sweep(30 * 86_400_000)).toBe(100_000);
    sweeping = false;
    expect(turns).toBeGreaterThanOrEqual(100_000 / 500 - 1);
    await storage.close();
  });
});

describe("storage on SQLite: the file", () => {
  it("the database, its WAL and shared-memory files are owner-only, and no raw chat id is written", async () => {
    const dir = tempDir();
    const app = await assemble({ databasePath: join(dir, "bot.sqlite"), logger });
    const chatId = 918273645;
    const key = app.deps.anonymize(chatId);
    await app.storage.handle(1, key, async (chat) => void chat!.setSession({ lang: "ru" }));
    for (const file of readdirSync(dir).filter((f) => f.startsWith("bot.sqlite"))) expect((statSync(join(dir, file)).mode & 0o777).toString(8), file).toBe("600");
    expect((statSync(join(dir, "anon-secret")).mode & 0o777).toString(8)).toBe("600");
    const bytes = Buffer.concat(readdirSync(dir).filter((f) => f.startsWith("bot.sqlite")).map((f) => readFileSync(join(dir, f))));
    expect(bytes.includes(Buffer.from(String(chatId)))).toBe(false);
    expect(bytes.includes(Buffer.from(key))).toBe(true);
    await app.close();
  });

  it("upgrades a database made before Kysely in place, keeping its chats", async () => {
    const path = join(tempDir(), "bot.sqlite");
    const old = new Database(path);
    old.exec(`CREATE TABLE records (key TEXT PRIMARY KEY, value TEXT NOT NULL, touched INTEGER NOT NULL) WITHOUT ROWID;
      CREATE INDEX records_touched ON records (touched);
      CREATE TABLE daily_counts (day TEXT NOT NULL, name TEXT NOT NULL, label TEXT NOT NULL DEFAULT '', n INTEGER NOT NULL, PRIMARY KEY (day, name, label)) WITHOUT ROWID;
      INSERT INTO records VALUES ('s:abc', '{"lang":"ru"}', ${Date.now()});
      PRAGMA user_version = 2;`);
    old.close();
    const storage = await open({ engine: "sqlite", path });
    expect(await session(storage, "abc")).toEqual({ lang: "ru" });
    await storage.close();
  });

  it("refuses a database from a newer version of the bot, a damaged file and a truncated one, each with one clear line", async () => {
    const newer = join(tempDir(), "bot.sqlite");
    await (await open({ engine: "sqlite", path: newer })).close();
    const db = new Database(newer);
    db.prepare("INSERT INTO schema_migrations (name, timestamp) VALUES ('2099-01-01-9-from-the-future', '2099')").run();
    db.close();
    await expect(openEngine({ engine: "sqlite", path: newer })).rejects.toThrow(/set up by a newer version of the bot/);

    const damaged = join(tempDir(), "bot.sqlite");
    const storage = await open({ engine: "sqlite", path: damaged });
    for (let i = 0; i < 200; i++) await setSession(storage, `k${i}`, { pad: "x".repeat(500) });
    await storage.close();
    const bytes = readFileSync(damaged);
    bytes.fill(0x5a, 4096 * 2, 4096 * 3);
    writeFileSync(damaged, bytes);
    await expect(openEngine({ engine: "sqlite", path: damaged })).rejects.toThrow(StorageError);

    const truncated = join(tempDir(), "bot.sqlite");
    await (await open({ engine: "sqlite", path: truncated })).close();
    truncateSync(truncated, 100);
    await expect(openEngine({ engine: "sqlite", path: truncated })).rejects.toThrow(/cannot be used|damaged/);
  });

  it("/healthz turns unhealthy when the database file is deleted while the bot runs", async () => {
    const dir = tempDir();
    const app = await assemble({ databasePath: join(dir, "bot.sqlite"), logger });
    expect(await app.healthy()).toEqual({ ok: true });
    const { rmSync } = await import("node:fs");
    rmSync(join(dir, "bot.sqlite"));
    expect(await app.healthy()).toMatchObject({ ok: false, problem: expect.stringContaining("deleted or replaced") });
    await app.close();
  });

  it("units finishing together commit together, and one whose write fails fails alone", async () => {
    const path = join(tempDir(), "bot.sqlite");
    const storage = await open({ engine: "sqlite", path });
    const raw = new Database(path);
    raw.exec("CREATE TRIGGER poison BEFORE INSERT ON handled_updates WHEN NEW.update_id = 9000002 BEGIN SELECT RAISE(ABORT, 'poison'); END;");
    raw.close();
    const results = await Promise.allSettled([1, 2, 3].map((n) => storage.handle(9_000_000 + n, `k${n}`, async (chat) => void chat!.setSession({ n }))));
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(await session(storage, "k1")).toEqual({ n: 1 });
    expect(await session(storage, "k2")).toBeUndefined();
    expect(await session(storage, "k3")).toEqual({ n: 3 });
    // The failed one was not marked handled: delivered again, it is handled again.
    expect(await storage.handle(9_000_001, "k1", async () => "again")).toBe(DUPLICATE);
    expect(await storage.handle(9_000_002, "k2", async () => "again").catch(() => "failed")).toBe("failed");
    await storage.close();
  });

  it("the inbox's rows are written at once, and receive resolves only after the WAL file was synced to disk", async () => {
    const engine = await openEngine({ engine: "sqlite", path: join(tempDir(), "bot.sqlite") });
    const flush = engine.flush!;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let flushed = 0;
    engine.flush = async () => {
      await held;
      await flush();
      flushed++;
    };
    const storage = new Storage(engine, { now: Date.now });
    const { onDisk } = await storage.keep([{ update_id: 8_000_001, body: "sealed" }], []);
    // Written (another connection sees it) while the sync is still to come.
    const other = new Database(engine.describe, { readonly: true });
    expect(other.prepare("SELECT update_id FROM inbox").all()).toEqual([{ update_id: 8_000_001 }]);
    other.close();
    let received = false;
    const receiving = storage.receive([{ update_id: 8_000_002, body: "sealed" }], []).then(() => (received = true));
    await storage.unhandledInbox();
    expect(received).toBe(false);
    release();
    await Promise.all([onDisk, receiving]);
    expect(flushed).toBe(2);
    // Nothing to keep, nothing to sync.
    await storage.receive([], [8_000_001]);
    expect(flushed).toBe(2);
    await storage.close();
  });
});

describe("the anonymous-key secret", () => {
  it("is generated once beside a new database (mode 600) and reused; keys are stable and unlike the id", async () => {
    const dir = tempDir();
    const path = join(dir, "bot.sqlite");
    const first = await assemble({ databasePath: path, logger });
    expect(first.secretOrigin).toBe("generated");
    const key = first.deps.anonymize(12345);
    await first.close();
    const second = await assemble({ databasePath: path, logger });
    expect(second.secretOrigin).toBe("file");
    expect(second.deps.anonymize(12345)).toBe(key);
    expect(key).not.toContain("12345");
    expect(createAnonymizer("another-secret-of-enough-length-123456")(12345)).not.toBe(key);
    await second.close();
  });

  it("a deleted secret beside a database that holds chats stops start-up instead of orphaning them", async () => {
    const dir = tempDir();
    const path = join(dir, "bot.sqlite");
    const app = await assemble({ databasePath: path, logger });
    await app.storage.handle(1, app.deps.anonymize(1), async (chat) => void chat!.setSession({ lang: "ru" }));
    await app.close();
    const { rmSync } = await import("node:fs");
    rmSync(join(dir, "anon-secret"));
    await expect(assemble({ databasePath: path, logger })).rejects.toThrow(/secret .* is missing, but the database holds chats/);
    // And nothing was generated in its place.
    expect(readdirSync(dir)).not.toContain("anon-secret");
  });

  it("a changed secret stops start-up: the database keeps the secret's fingerprint", async () => {
    const dir = tempDir();
    const path = join(dir, "bot.sqlite");
    await (await assemble({ databasePath: path, logger })).close();
    writeFileSync(join(dir, "anon-secret"), "a-different-secret-that-is-long-enough-000000\n", { mode: 0o600 });
    await expect(assemble({ databasePath: path, logger })).rejects.toThrow(/not the one this database was made with/);
    await expect(assemble({ databasePath: path, logger, anonSecret: "yet-another-secret-that-is-long-enough-1111" })).rejects.toThrow(/ANON_SECRET.*not the one/);
  });
});

describe.skipIf(POSTGRES_URL === undefined)(`storage on PostgreSQL: replicas${NO_POSTGRES}`, () => {
  it("counters add up across several stores on one database, as replicas' do", async () => {
    const w = await where("postgres");
    const stores = await replicas(w, 3);
    await Promise.all(stores.map((r, i) => r.addCounts([{ day: "2026-11-29", name: "topic", label: "bond", n: i + 1 }])));
    expect(await stores[0]!.countsSince("2026-11-01")).toEqual([{ name: "topic", label: "bond", n: 6 }]);
    await Promise.all(stores.map((r) => r.close()));
  });

  it("rate counts are shared by every store on one database", async () => {
    const w = await where("postgres");
    const [a, b] = (await replicas(w, 2)) as [Storage, Storage];
    expect(await a.countHit("k", 60_000)).toBe(1);
    expect(await b.countHit("k", 60_000)).toBe(2);
    expect(await a.countHit("other", 60_000)).toBe(1);
    await Promise.all([a.close(), b.close()]);
  });

  it("a job meant to run once per deployment runs once, and again when what it sets up changes", async () => {
    const w = await where("postgres");
    const stores = await replicas(w, 3);
    let runs = 0;
    const job = async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 100));
    };
    const ran = await Promise.all(stores.map((r) => r.once("webhook", { fingerprint: "a" }, job)));
    expect(ran.filter(Boolean)).toHaveLength(1);
    expect(runs).toBe(1);
    expect(await stores[1]!.once("webhook", { fingerprint: "a" }, job)).toBe(false);
    expect(await stores[2]!.once("webhook", { fingerprint: "b" }, job)).toBe(true);
    expect(runs).toBe(2);
    await Promise.all(stores.map((r) => r.close()));
  });

  it("with a pool of two, updates take one connection in turn, without a timeout, and a start-up job runs on the other, its own queries on the connection that holds its lock", async () => {
    const w = await where("postgres");
    const storage = new Storage(await openEngine({ ...(w as Extract<Where, { engine: "postgres" }>), poolSize: 2 }), { now: Date.now });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const order: number[] = [];
    // The first update holds the one connection units may take; the others queue for it.
    const first = storage.handle(8_000_001, "a", async () => {
      await held;
      order.push(1);
    });
    const rest = [2, 3, 4].map((n) => storage.handle(8_000_000 + n, `k${n}`, async () => void order.push(n)));
    expect(await storage.once("profile", { fingerprint: "x" }, async (db) => void (await db.selectFrom("meta").select("key").execute()))).toBe(true);
    expect(await storage.countHit("k", 60_000)).toBe(1);
    release();
    await Promise.all([first, ...rest]);
    expect(order).toEqual([1, 2, 3, 4]);
    await storage.close();
  });

  it("units waiting for a connection give up when told to (shutdown), and the rest go on", async () => {
    const slots = new Slots(1);
    let release!: () => void;
    const held = slots.run(() => new Promise<void>((r) => (release = r)));
    const stop = new AbortController();
    const waiting = slots.run(async () => "ran", stop.signal);
    const after = slots.run(async () => "after");
    stop.abort();
    await expect(waiting).rejects.toMatchObject({ name: "AbortError" });
    release();
    await held;
    expect(await after).toBe("after");
  });

  it("two stores handling the same chat at the same time take turns: no write is lost", async () => {
    const w = await where("postgres");
    const [a, b] = await Promise.all([open(w), open(w)]);
    const increment = (s: Storage, id: number) =>
      s.handle(id, "shared-chat", async (chat) => {
        const n = chat!.session<{ n: number }>()?.n ?? 0;
        // Long enough for the other replica to read the same value, were it not for the lock.
        await new Promise((r) => setTimeout(r, 5));
        chat!.setSession({ n: n + 1 });
      });
    await Promise.all(Array.from({ length: 40 }, (_, i) => increment(i % 2 === 0 ? a : b, 7_000_000 + i)));
    expect(await session(a, "shared-chat")).toEqual({ n: 40 });
    await Promise.all([a.close(), b.close()]);
  });

  it("a unit's SQL is built from literals: quotes, backslashes, newlines, SQL and any Unicode are written and read back exactly", async () => {
    const storage = await open(await where("postgres"));
    const nasty = ["it's", "back\\slash\\", "E'\\x00'", "line\nbreak\ttab", "'); DROP TABLE records; --", "кириллица 🇺🇸 \u200b", "$1 $$ $tag$"];
    const key = "quote'key\\";
    await setSession(storage, key, { nasty });
    expect(await session(storage, key)).toEqual({ nasty });
    await storage.handle(nextUpdate++, key, async (chat) => chat!.setConversation({ nasty }));
    let conversation: unknown;
    await storage.handle(nextUpdate++, key, async (chat) => void (conversation = await chat!.conversation()));
    expect(conversation).toEqual({ nasty });
    await storage.receive([{ update_id: 9_100_001, body: nasty.join("|") }], []);
    expect(await storage.unhandledInbox()).toEqual([{ update_id: 9_100_001, body: nasty.join("|") }]);
    await storage.receive([], [9_100_001]);
    expect(await storage.unhandledInbox()).toEqual([]);
    expect(Number((await sql<{ n: number }>`select count(*) as n from records`.execute(storage.db)).rows[0]!.n)).toBe(2);
    await storage.close();
  });

  it("a unit counts its chat's rate with its read: the chat's first count takes it, a later one asks again, and a duplicate's count is rolled back", async () => {
    const storage = new Storage(await openEngine(await where("postgres")), { now: Date.now, rateWindowMs: 60_000 });
    const counts: number[] = [];
    const count = (id: number) => storage.handle(id, "rated", async (chat) => void counts.push(await chat!.countHit(60_000), await chat!.countHit(60_000)));
    await count(9_200_001);
    await count(9_200_002);
    expect(counts).toEqual([1, 2, 3, 4]);
    expect(await count(9_200_002)).toBe(DUPLICATE);
    // Another window is counted apart, with a round trip of its own.
    await storage.handle(9_200_003, "rated", async (chat) => void counts.push(await chat!.countHit(1_000)));
    expect(counts).toEqual([1, 2, 3, 4, 1]);
    expect(await storage.countHit("rated", 60_000)).toBe(6);
    await storage.close();
  });

  it("a commit the database refuses rolls back the unit's writes, handled mark and rate count, and its connection serves the next unit (pool of two)", async () => {
    const w = (await where("postgres")) as Extract<Where, { engine: "postgres" }>;
    const storage = new Storage(await openEngine({ ...w, poolSize: 2 }), { now: Date.now, rateWindowMs: 60_000 });
    await sql`alter table records add constraint no_poison check (value not like '%poison%')`.execute(storage.db);
    const poisoned = (id: number) => storage.handle(id, "chat", async (chat) => {
      await chat!.countHit(60_000);
      chat!.setSession({ poison: true });
    });
    for (let i = 0; i < 3; i++) await expect(poisoned(9_300_001)).rejects.toThrow(/no_poison/);
    let count = 0;
    expect(await storage.handle(9_300_001, "chat", async (chat) => {
      count = await chat!.countHit(60_000);
      chat!.setSession({ fine: true });
    })).toBeUndefined();
    expect(count).toBe(1);
    expect(await session(storage, "chat")).toEqual({ fine: true });
    await storage.close();
  });

  it("a value the SQL text refuses (an update id that is not an integer) fails its unit without holding a connection (pool of two)", async () => {
    const w = (await where("postgres")) as Extract<Where, { engine: "postgres" }>;
    const storage = new Storage(await openEngine({ ...w, poolSize: 2 }), { now: Date.now, rateWindowMs: 60_000 });
    for (let i = 0; i < 3; i++) await expect(storage.handle(9_500_000.5, "k", async () => undefined)).rejects.toThrow(/not an integer/);
    expect(await storage.handle(9_500_001, "k", async (chat) => void chat!.setSession({ ok: 1 }))).toBeUndefined();
    expect(await session(storage, "k")).toEqual({ ok: 1 });
    await storage.close();
  });

  it("every commit waits for the server's disk, even on a database set not to: the inbox and the webhook's answers rely on it", async () => {
    const w = (await where("postgres")) as Extract<Where, { engine: "postgres" }>;
    const first = await open(w);
    const name = (await sql<{ db: string }>`select current_database() as db`.execute(first.db)).rows[0]!.db;
    await sql`alter database ${sql.id(name)} set synchronous_commit = off`.execute(first.db);
    await first.close();
    // What any other client of that database now gets, so that the check below can fail.
    const plain = new pg.Client({ connectionString: w.url });
    await plain.connect();
    expect((await plain.query<{ synchronous_commit: string }>("show synchronous_commit")).rows[0]!.synchronous_commit).toBe("off");
    await plain.end();
    const storage = await open(w);
    let inUnit: string | undefined;
    await storage.handle(9_600_001, "durable", async () => {
      inUnit = (await storage.engine.pool!.query<{ synchronous_commit: string }>("show synchronous_commit")).rows[0]!.synchronous_commit;
    });
    expect(inUnit).toBe("on");
    expect((await sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(storage.db)).rows[0]!.synchronous_commit).toBe("on");
    await storage.close();
  });

  it("a connection the server ends while its unit works does not take the process down: the unit fails, nothing is committed, and the next unit works", async () => {
    const w = (await where("postgres")) as Extract<Where, { engine: "postgres" }>;
    const storage = new Storage(await openEngine({ ...w, poolSize: 2 }), { now: Date.now });
    const cut = storage.handle(9_400_001, "cut", async (chat) => {
      chat!.setSession({ lost: true });
      // The unit's connection is the one idle in its transaction; the other serves this query.
      // Materialized, so that the server ends only that one (a filter beside the call may run after it).
      const ended = await sql<{ pid: number; ok: boolean }>`with unit as materialized (select pid from pg_stat_activity where datname = current_database() and state = 'idle in transaction' and pid <> pg_backend_pid()) select pid, pg_terminate_backend(pid) as ok from unit`.execute(storage.db);
      expect(ended.rows).toEqual([{ pid: expect.any(Number), ok: true }]);
      const pid = ended.rows[0]!.pid;
      while ((await sql`select 1 from pg_stat_activity where pid = ${pid}`.execute(storage.db)).rows.length > 0);
      // The server's "terminating connection" is on the socket by now: a few turns of the event
      // loop let the connection read it while no query of its own is running.
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    });
    await expect(cut).rejects.toThrow();
    expect(await storage.handle(9_400_001, "cut", async (chat) => {
      expect(chat!.session()).toBeUndefined();
      chat!.setSession({ kept: true });
    })).toBeUndefined();
    expect(await session(storage, "cut")).toEqual({ kept: true });
    expect((await storage.health()).ok).toBe(true);
    await storage.close();
  });

  it("ANON_SECRET is required with DATABASE_URL", async () => {
    const { parseConfig } = await import("../src/config.js");
    const result = parseConfig({ BOT_TOKEN: "1:x", DATABASE_URL: POSTGRES_URL });
    expect(result).toEqual({ ok: false, problems: [expect.stringMatching(/^ANON_SECRET is required when DATABASE_URL is set/)] });
  });

  it("counts sessions with the same query on both engines (sanity of the shared schema)", async () => {
    const storage = await open(await where("postgres"));
    await setSession(storage, "x", { a: 1 });
    expect(Number((await sql<{ n: number }>`select count(*) as n from records`.execute(storage.db)).rows[0]!.n)).toBe(1);
    await storage.close();
  });
});
