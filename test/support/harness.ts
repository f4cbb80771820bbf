import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { type App, assemble, type AppOptions } from "../../src/app.js";
import { createBot } from "../../src/bot/index.js";
import { LocalTelegram } from "../../tools/local-telegram/emulator.js";
import { SimulatedUser, type UserProfile } from "../../tools/local-telegram/user.js";
import { createLogger } from "../../src/logger.js";

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
}

export interface TestBot {
  app: App;
  tg: LocalTelegram;
  logs: LogCapture;
  dir: string;
  databasePath: string;
  user(profile?: Partial<UserProfile>): SimulatedUser;
  /** Commits buffered session writes and counters, before a test reads the database directly. */
  flush(): void;
  /** Stops this instance and starts a new one on the same database and the same Telegram. */
  restart(options?: Partial<TestBotOptions>): Promise<TestBot>;
  close(): void;
}

let nextUserId = 900_000_001;

/**
 * Runs the real bot (the production factory) against the in-process Bot API. Each update is
 * handled to completion before the simulated user's action returns, so tests read what the
 * user sees right after each step.
 */
export async function startTestBot(options: TestBotOptions = {}): Promise<TestBot> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "asylum-bot-test-"));
  const databasePath = options.databasePath ?? join(dir, "bot.sqlite");
  const logs = options.logs ?? new LogCapture();
  const logger = createLogger({ level: "debug", destination: logs });
  const now = options.now ?? Date.now;
  const tg = options.tg ?? new LocalTelegram({ now });
  const app = assemble({ ...options, databasePath, logger, now, rateLimitPerMinute: options.rateLimitPerMinute ?? 10_000 });
  const bot = createBot(app.deps, { token: TEST_TOKEN, botInfo: tg.botInfo, client: { fetch: tg.fetch } });
  tg.deliver = async (update) => {
    await bot.handleUpdate(update);
  };
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    tg.deliver = undefined;
    app.close();
  };
  return {
    app,
    tg,
    logs,
    dir,
    databasePath,
    user(profile = {}) {
      const id = profile.id ?? nextUserId++;
      return new SimulatedUser(tg, { id, first_name: profile.first_name ?? "Test", language_code: profile.language_code ?? "en", ...profile });
    },
    flush() {
      app.deps.store.flush();
      app.deps.stats.flush();
    },
    async restart(more = {}) {
      close();
      return startTestBot({ ...options, ...more, dir, databasePath, tg, logs });
    },
    close() {
      close();
    },
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
