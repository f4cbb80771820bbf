import { mkdtempSync, readFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createAnonymizer } from "../src/privacy/anon-key.js";
import { loadAnonSecret } from "../src/privacy/secret.js";
import { openDatabase, SCHEMA_VERSION } from "../src/storage/database.js";
import { RecordStore } from "../src/storage/record-store.js";

const tempDir = () => mkdtempSync(join(tmpdir(), "asylum-storage-"));

/** Every byte SQLite wrote for this database: main file, WAL and shared memory. */
function databaseBytes(dir: string): Buffer {
  return Buffer.concat(readdirSync(dir).filter((f) => f.startsWith("bot.sqlite")).map((f) => readFileSync(join(dir, f))));
}

describe("SQLite storage adapter", () => {
  it("reads, writes and deletes values under a namespace", () => {
    const db = openDatabase(join(tempDir(), "bot.sqlite"));
    const store = new RecordStore(db);
    const sessions = store.adapter<{ lang: string }>("s");
    const other = store.adapter<{ lang: string }>("c");
    expect(sessions.read("k")).toBeUndefined();
    sessions.write("k", { lang: "ru" });
    expect(sessions.read("k")).toEqual({ lang: "ru" });
    expect(other.read("k")).toBeUndefined();
    sessions.write("k", { lang: "en" });
    expect(sessions.read("k")).toEqual({ lang: "en" });
    sessions.delete("k");
    expect(sessions.read("k")).toBeUndefined();
    db.close();
  });

  it("keeps data across a reopen, and sets WAL and the schema version", () => {
    const dir = tempDir();
    const path = join(dir, "nested", "deeper", "bot.sqlite");
    let db = openDatabase(path);
    const first = new RecordStore(db);
    first.adapter("s").write("key", { n: 1 });
    first.flush();
    db.close();
    db = openDatabase(path);
    expect(new RecordStore(db).adapter("s").read("key")).toEqual({ n: 1 });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it("refuses a database from a newer version of the bot", () => {
    const path = join(tempDir(), "bot.sqlite");
    const db = openDatabase(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openDatabase(path)).toThrow(/newer than this program/);
  });

  it("forget() removes a key from every namespace", () => {
    const db = openDatabase(join(tempDir(), "bot.sqlite"));
    const store = new RecordStore(db);
    store.adapter("s").write("abc", { a: 1 });
    store.adapter("c").write("abc", { b: 2 });
    store.adapter("s").write("other", { c: 3 });
    expect(store.forget("abc")).toBe(2);
    expect(store.count()).toBe(1);
    db.close();
  });

  it("stores only keyed hashes: the raw chat id never reaches the file bytes", () => {
    const dir = tempDir();
    const db = openDatabase(join(dir, "bot.sqlite"));
    const store = new RecordStore(db);
    const anonymize = createAnonymizer("a-secret-of-at-least-thirty-two-characters");
    const chatId = 987654321987;
    store.adapter("s").write(anonymize(chatId), { lang: "ru" });
    store.flush();
    const bytes = databaseBytes(dir);
    expect(bytes.includes(String(chatId))).toBe(false);
    expect(bytes.includes(anonymize(chatId))).toBe(true);
    db.close();
  });

  it("derives different keys for different secrets and chats, and the same key for the same pair", () => {
    const a = createAnonymizer("secret-one-secret-one-secret-one-xx");
    const b = createAnonymizer("secret-two-secret-two-secret-two-xx");
    expect(a(1)).toBe(a(1));
    expect(a(1)).not.toBe(a(2));
    expect(a(1)).not.toBe(b(1));
    expect(a(1)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe("record cache and batched commits", () => {
  it("reads see writes at once; the database gets them in one commit at the end of the turn", async () => {
    const db = openDatabase(join(tempDir(), "bot.sqlite"));
    const store = new RecordStore(db);
    const sessions = store.adapter<{ n: number }>("s");
    const onDisk = (key: string) => db.prepare("SELECT value FROM records WHERE key = ?").get(`s:${key}`);
    sessions.write("a", { n: 1 });
    sessions.write("b", { n: 2 });
    expect(sessions.read("a")).toEqual({ n: 1 });
    expect(onDisk("a")).toBeUndefined();
    await new Promise((r) => setImmediate(r));
    expect(onDisk("a")).toEqual({ value: '{"n":1}' });
    sessions.delete("a");
    expect(sessions.read("a")).toBeUndefined();
    store.flush();
    expect(onDisk("a")).toBeUndefined();
    db.close();
  });

  it("skips writing an unchanged record, but refreshes its expiry time every hour", () => {
    let now = Date.UTC(2026, 0, 1);
    const db = openDatabase(join(tempDir(), "bot.sqlite"));
    const store = new RecordStore(db, () => now);
    const sessions = store.adapter<{ n: number }>("s");
    const touched = () => (db.prepare("SELECT touched FROM records").get() as { touched: number }).touched;
    sessions.write("a", { n: 1 });
    store.flush();
    const first = touched();
    now += 10 * 60_000;
    sessions.write("a", { n: 1 });
    store.flush();
    expect(touched()).toBe(first);
    now += 60 * 60_000;
    sessions.write("a", { n: 1 });
    store.flush();
    expect(touched()).toBe(now);
    db.close();
  });

  it("keeps answering correctly when more records exist than the cache holds", () => {
    const db = openDatabase(join(tempDir(), "bot.sqlite"));
    const store = new RecordStore(db);
    const sessions = store.adapter<{ i: number; pad: string }>("s");
    store.transaction(() => {
      for (let i = 0; i < 30_000; i++) sessions.write(`k${i}`, { i, pad: "x".repeat(200) });
    })();
    store.flush();
    for (const i of [0, 1, 15_000, 29_999]) expect(sessions.read(`k${i}`)).toEqual({ i, pad: "x".repeat(200) });
    expect(store.count()).toBe(30_000);
    db.close();
  });
});

describe("anonymous-key secret", () => {
  it("is generated once beside the database, owner-only, and reused after a restart", () => {
    const dir = tempDir();
    const path = join(dir, "bot.sqlite");
    const first = loadAnonSecret(undefined, path);
    expect(first.origin).toBe("generated");
    expect(statSync(join(dir, "anon-secret")).mode & 0o777).toBe(0o600);
    const again = loadAnonSecret(undefined, path);
    expect(again).toMatchObject({ origin: "file", secret: first.secret });
  });

  it("comes from ANON_SECRET when set", () => {
    expect(loadAnonSecret("x".repeat(40), join(tempDir(), "bot.sqlite"))).toEqual({ secret: "x".repeat(40), origin: "environment" });
  });
});

describe("expiry sweep", () => {
  it("deletes records idle longer than the TTL, with a controlled clock", () => {
    let now = Date.UTC(2026, 0, 1);
    const db = openDatabase(join(tempDir(), "bot.sqlite"));
    const store = new RecordStore(db, () => now);
    const sessions = store.adapter("s");
    sessions.write("old", { v: 1 });
    now += 20 * 86_400_000;
    sessions.write("recent", { v: 2 });
    now += 15 * 86_400_000; // old: 35 days idle, recent: 15 days
    expect(store.sweep(30 * 86_400_000)).toBe(1);
    expect(sessions.read("old")).toBeUndefined();
    expect(sessions.read("recent")).toEqual({ v: 2 });
    db.close();
  });
});
