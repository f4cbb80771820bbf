import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BotDeps } from "./bot/deps.js";
import { memoryForgetMarks } from "./bot/forget-marks.js";
import { loadContent } from "./content/content.js";
import { createI18n, readLocales } from "./i18n.js";
import type { Logger } from "./logger.js";
import { Metrics } from "./observability/metrics.js";
import { createAnonymizer } from "./privacy/anon-key.js";
import { loadAnonSecret } from "./privacy/secret.js";
import { Intents } from "./search/intents.js";
import { TopicSearch } from "./search/topic-search.js";
import { Stats } from "./stats/stats.js";
import { type Db, openDatabase } from "./storage/database.js";
import { RecordStore } from "./storage/record-store.js";

/** The folder with package.json, content/ and locales/: found by walking up, so src/ and dist/src/ both work. */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("cannot find the project folder (package.json)");
    dir = parent;
  }
  return dir;
}

export const PROJECT_ROOT = projectRoot();
export const CONTENT_DIR = join(PROJECT_ROOT, "content");
export const LOCALES_DIR = join(PROJECT_ROOT, "locales");

export const DEFAULT_CONTENT_STALE_DAYS = 90;

export interface AppOptions {
  databasePath: string;
  anonSecret?: string | undefined;
  bookingUrl?: string | undefined;
  adminIds?: readonly number[];
  rateLimitPerMinute?: number;
  sessionTtlDays?: number;
  /** Days after the update list's last check when screens start warning it may be out of date. */
  contentStaleDays?: number;
  logger: Logger;
  now?: () => number;
  contentDir?: string;
  localesDir?: string;
  /** Collect Node process metrics (memory, event loop) for /metrics. */
  processMetrics?: boolean;
}

export interface App {
  deps: BotDeps;
  db: Db;
  secretOrigin: string;
  /** Deletes sessions idle longer than the TTL; returns how many went. */
  sweep(): number;
  /** Starts the hourly expiry sweep and the statistics flush. */
  startHousekeeping(sweepEveryMs?: number): void;
  close(): void;
}

/** Everything the bot needs besides Telegram: content, storage, privacy, search, counters. */
export function assemble(options: AppOptions): App {
  const now = options.now ?? Date.now;
  const i18n = createI18n(readLocales(options.localesDir ?? LOCALES_DIR));
  const contentDir = options.contentDir ?? CONTENT_DIR;
  const content = loadContent(contentDir, i18n);
  const intents = Intents.load(join(contentDir, "intents.json"));
  const secret = loadAnonSecret(options.anonSecret, options.databasePath);
  const db = openDatabase(options.databasePath);
  const store = new RecordStore(db, now);
  const stats = new Stats(db, now);
  const sessionTtlDays = options.sessionTtlDays ?? 30;
  const ttlMs = sessionTtlDays * 86_400_000;
  let sweeper: NodeJS.Timeout | undefined;

  const deps: BotDeps = {
    content,
    i18n,
    store,
    forgetMarks: memoryForgetMarks(now),
    anonymize: createAnonymizer(secret.secret),
    logger: options.logger,
    metrics: new Metrics({ processMetrics: options.processMetrics ?? false }),
    stats,
    search: new TopicSearch(content, i18n),
    intents,
    now,
    settings: {
      bookingUrl: options.bookingUrl,
      adminIds: options.adminIds ?? [],
      rateLimitPerMinute: options.rateLimitPerMinute ?? 40,
      sessionTtlDays,
      contentStaleDays: options.contentStaleDays ?? DEFAULT_CONTENT_STALE_DAYS,
    },
  };

  const sweep = () => {
    const removed = store.sweep(ttlMs);
    if (removed > 0) options.logger.info({ removed }, "expired idle sessions deleted");
    return removed;
  };

  return {
    deps,
    db,
    secretOrigin: secret.origin,
    sweep,
    startHousekeeping(sweepEveryMs = 3_600_000) {
      sweep();
      sweeper ??= setInterval(sweep, sweepEveryMs);
      sweeper.unref();
      stats.start();
    },
    close() {
      clearInterval(sweeper);
      stats.stop();
      store.flush();
      db.close();
    },
  };
}
