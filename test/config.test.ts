import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { parseConfig, SETTING_NAMES } from "../src/config.js";
import { runChild, startBotProcess } from "./support/process.js";

const TOKEN = "123:abc_DEF-ghi";

describe("configuration", () => {
  it("needs BOT_TOKEN and names it", () => {
    const result = parseConfig({});
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems).toEqual([expect.stringMatching(/^BOT_TOKEN /)]);
  });

  it("applies defaults", () => {
    const result = parseConfig({ BOT_TOKEN: TOKEN });
    expect(result).toMatchObject({
      ok: true,
      config: { database: { engine: "sqlite", path: "data/bot.sqlite" }, logLevel: "info", sessionTtlDays: 30, bookingUrl: undefined, apiRoot: undefined, mode: { kind: "polling" }, http: undefined },
    });
  });

  it("reports one line per bad value, each naming its variable", () => {
    const result = parseConfig({
      BOT_TOKEN: "not a token",
      BOOKING_URL: "http://insecure.example",
      LOG_LEVEL: "chatty",
      SESSION_TTL_DAYS: "-3",
      TELEGRAM_API_ROOT: "ftp://x",
      PORT: "70000",
      ADMIN_IDS: "12,abc",
      ANON_SECRET: "short",
      DATABASE_URL: "mysql://db/bot",
      CONTENT_STALE_DAYS: "0",
      POLL_TIMEOUT_SECONDS: "99",
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const names = result.problems.map((p) => p.split(" ", 1)[0]);
    expect(names.sort()).toEqual(["ADMIN_IDS", "ANON_SECRET", "BOOKING_URL", "BOT_TOKEN", "CONTENT_STALE_DAYS", "DATABASE_URL", "LOG_LEVEL", "POLL_TIMEOUT_SECONDS", "PORT", "SESSION_TTL_DAYS", "TELEGRAM_API_ROOT"]);
    for (const p of result.problems) expect(p).not.toMatch(/\n|at .*\(/);
  });

  it("accepts a self-hosted Bot API root and drops a trailing slash", () => {
    const result = parseConfig({ BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: "http://127.0.0.1:8081/" });
    expect(result.ok && result.config.apiRoot).toBe("http://127.0.0.1:8081");
  });

  it("treats empty values as unset", () => {
    const result = parseConfig({ BOT_TOKEN: TOKEN, BOOKING_URL: "", DATABASE_PATH: " " });
    expect(result).toMatchObject({ ok: true, config: { bookingUrl: undefined, database: { engine: "sqlite", path: "data/bot.sqlite" } } });
  });

  it("DATABASE_URL selects PostgreSQL and then requires ANON_SECRET, so that replicas make the same keys", () => {
    const url = "postgres://bot:pw@db:5432/bot";
    expect(parseConfig({ BOT_TOKEN: TOKEN, DATABASE_URL: url })).toEqual({ ok: false, problems: [expect.stringMatching(/^ANON_SECRET is required when DATABASE_URL is set/)] });
    const result = parseConfig({ BOT_TOKEN: TOKEN, DATABASE_URL: url, ANON_SECRET: "x".repeat(40), DATABASE_POOL_SIZE: "20" });
    expect(result).toMatchObject({ ok: true, config: { database: { engine: "postgres", url, poolSize: 20 } } });
  });

  it("DATABASE_POOL_SIZE of 1 is refused with the reason: updates take all connections but one", () => {
    const env = { BOT_TOKEN: TOKEN, DATABASE_URL: "postgres://bot:pw@db:5432/bot", ANON_SECRET: "x".repeat(40) };
    expect(parseConfig({ ...env, DATABASE_POOL_SIZE: "1" })).toEqual({ ok: false, problems: [expect.stringMatching(/^DATABASE_POOL_SIZE must be at least 2: updates being handled take all connections but one/)] });
    expect(parseConfig({ ...env, DATABASE_POOL_SIZE: "2" })).toMatchObject({ ok: true, config: { database: { poolSize: 2 } } });
  });

  it("webhook mode requires a well-formed secret and defaults the port", () => {
    expect(parseConfig({ BOT_TOKEN: TOKEN, WEBHOOK_URL: "https://bot.example/tg" })).toMatchObject({ ok: false, problems: [expect.stringMatching(/^WEBHOOK_SECRET /)] });
    expect(parseConfig({ BOT_TOKEN: TOKEN, WEBHOOK_URL: "https://bot.example/tg", WEBHOOK_SECRET: "bad secret!" })).toMatchObject({ ok: false });
    expect(parseConfig({ BOT_TOKEN: TOKEN, WEBHOOK_URL: "http://bot.example/tg", WEBHOOK_SECRET: "s" })).toMatchObject({ ok: false, problems: [expect.stringMatching(/^WEBHOOK_URL /)] });
    expect(parseConfig({ BOT_TOKEN: TOKEN, WEBHOOK_URL: "https://bot.example/tg", WEBHOOK_SECRET: "abc_DEF-123" })).toMatchObject({
      ok: true,
      config: { mode: { kind: "webhook", url: "https://bot.example/tg", secret: "abc_DEF-123" }, http: { port: 8080, host: "0.0.0.0" } },
    });
  });

  it("`npm start` without BOT_TOKEN exits non-zero with one line naming it and no stack trace", async () => {
    const run = await runChild("npm", ["start", "--silent"], { env: { BOT_TOKEN: undefined, DATABASE_PATH: "/nonexistent/never-created.sqlite" }, timeoutMs: 60_000 });
    expect(run.status, run.output).not.toBe(0);
    expect(run.stderr).toContain("BOT_TOKEN");
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("a database that cannot be opened is named in one line with its cause, before Telegram is called", async () => {
    const bot = startBotProcess({ BOT_TOKEN: TOKEN, API_ROOT: "http://127.0.0.1:9", DATABASE_PATH: "/dev/null/bot.sqlite" });
    expect(await bot.exitCode(), bot.output()).toBe(1);
    const lines = bot.output().trim().split("\n");
    expect(lines, bot.output()).toHaveLength(1);
    expect(lines[0]).toMatch(/^Cannot open the database at \/dev\/null\/bot\.sqlite: \S/);
  });

  it(".env.example and the README's settings table list every setting, and nothing else", () => {
    const example = new Set([...readFileSync(".env.example", "utf8").matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!));
    // compose.yaml's own variables, documented in the same file.
    for (const composeOnly of ["BOT_DOMAIN", "POSTGRES_PASSWORD"]) example.delete(composeOnly);
    expect([...example].sort()).toEqual([...SETTING_NAMES].sort());
    const readme = readFileSync("README.md", "utf8");
    const table = new Set([...readme.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]!));
    expect([...table].sort()).toEqual([...SETTING_NAMES].sort());
  });
});
