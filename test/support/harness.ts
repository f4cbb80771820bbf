import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { type App, assemble, type AppOptions, type ContentBundle, loadContentBundle } from "../../src/app.js";
import type { Bot } from "grammy";
import type { BotContext } from "../../src/bot/context.js";
import { createBot } from "../../src/bot/index.js";
import { createLogger } from "../../src/logger.js";
import type { Tables } from "../../src/storage/tables.js";
import { LocalTelegram } from "../../tools/local-telegram/emulator.js";
import { SimulatedUser, type UserProfile } from "../../tools/local-telegram/user.js";
import { postgresFor } from "./postgres.js";

export const TEST_TOKEN = "123456789:TEST-token-for-the-local-bot-api";

/** Everything the bot wrote to its log, as raw lines. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.lines.push(...chunk.toString("utf8").split("\n").filter((l) => l !== ""));
    done();
  }
  get text(): string {
    return this.lines.join("\n");
  }
  entries(): Record<string, unknown>[] {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

export interface TestBotOptions extends Partial<Omit<AppOptions, "logger">> {
  /** Reuse a database folder (to restart "the same deployment"). */
  dir?: string;
  tg?: LocalTelegram;
  logs?: LogCapture;
  /** Run on a PostgreSQL database (a fresh one per test unless databaseUrl is given) instead of SQLite. */
  engine?: "sqlite" | "postgres";
  /** The folder is the harness's own (a restart hands it on): closing removes it. */
  removeDirOnClose?: boolean;
  /** Each update's time budget (bot/index.ts), shortened for tests of what happens when it runs out. */
  updateBudgetMs?: number;
}

export interface TestBot {
  app: App;
  bot: Bot<BotContext>;
  tg: LocalTelegram;
  logs: LogCapture;
  dir: string;
  databasePath: string;
  engine: "sqlite" | "postgres";
  user(profile?: Partial<UserProfile>): SimulatedUser;
  /** Commits buffered counters, before a test reads the database directly. */
  flush(): Promise<void>;
  /** Every row of a table, for tests that look at what was stored. */
  rows<T extends keyof Tables>(table: T): Promise<Tables[T][]>;
  /** Stops this instance and starts a new one on the same database and the same Telegram. */
  restart(options?: Partial<TestBotOptions>): Promise<TestBot>;
  close(): Promise<void>;
}

let nextUserId = 900_000_001;

/**
 * The repository's content and locales, read once per test process. Reading and checking them,
 * and building the search index, again for each of the suite's hundreds of bots cost a quarter of
 * the CPU of the files that start them (eight such files: 43-45 s of CPU, 33 s once shared). Tests
 * of other content pass contentDir or localesDir, which are read afresh, as production reads them.
 */
let sharedBundle: ContentBundle | undefined;
function repositoryBundle(): ContentBundle {
  return (sharedBundle ??= loadContentBundle());
}

/** The engine tests run on unless they say: TEST_ENGINE=postgres runs the whole suite on PostgreSQL. */
export function defaultEngine(): "sqlite" | "postgres" {
  return process.env.TEST_ENGINE === "postgres" ? "postgres" : "sqlite";
}

/**
 * Runs the real bot (the production factory) against the in-process Bot API. Each update is
 * handled to completion, its records committed, before the simulated user's action returns, so
 * tests read what the user sees right after each step.
 */
export async function startTestBot(options: TestBotOptions = {}): Promise<TestBot> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "asylum-bot-test-"));
  // A folder the harness made is removed when the bot closes; one a test passed in is the test's to remove.
  const ownsDir = options.dir === undefined || options.removeDirOnClose === true;
  let handedOn = false;
  const engine = options.engine ?? defaultEngine();
  const databasePath = options.databasePath ?? join(dir, "bot.sqlite");
  const databaseUrl = engine === "postgres" ? (options.databaseUrl ?? (await postgresFor())) : undefined;
  const logs = options.logs ?? new LogCapture();
  const logger = createLogger({ level: "debug", destination: logs });
  const now = options.now ?? Date.now;
  const tg = options.tg ?? new LocalTelegram({ now });
  const ownContent = options.contentDir !== undefined || options.localesDir !== undefined;
  const app = await assemble({
    ...(ownContent ? {} : { bundle: repositoryBundle() }),
    ...options,
    ...(databaseUrl === undefined ? { databasePath } : { databaseUrl, anonSecret: options.anonSecret ?? "test-secret-for-postgres-0123456789abcdef" }),
    logger,
    now,
    rateLimitPerMinute: options.rateLimitPerMinute ?? 10_000,
  });
  const bot = createBot(app.deps, { token: TEST_TOKEN, botInfo: tg.botInfo, client: { fetch: tg.fetch }, ...(options.updateBudgetMs === undefined ? {} : { updateBudgetMs: options.updateBudgetMs }) });
  tg.deliver = async (update) => {
    await bot.handleUpdate(update);
  };
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    tg.deliver = undefined;
    await app.close();
    if (ownsDir && !handedOn) removeDir(dir);
  };
  return {
    app,
    bot,
    tg,
    logs,
    dir,
    databasePath,
    engine,
    user(profile = {}) {
      const id = profile.id ?? nextUserId++;
      return new SimulatedUser(tg, { id, first_name: profile.first_name ?? "Test", language_code: profile.language_code ?? "en", ...profile });
    },
    async flush() {
      await app.deps.stats.flush();
    },
    async rows(table) {
      return (await app.storage.db.selectFrom(table).selectAll().execute()) as never;
    },
    async restart(more = {}) {
      handedOn = true;
      await close();
      return startTestBot({ ...options, ...more, dir, databasePath, removeDirOnClose: ownsDir, ...(databaseUrl === undefined ? {} : { databaseUrl }), tg, logs });
    },
    close,
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
