import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BotDeps } from "./bot/deps.js";
import { memoryRateCounter, RATE_WINDOW_MS, sharedRateCounter } from "./bot/middleware/chat-limits.js";
import { type Content, loadContent } from "./content/content.js";
import { createI18n, type I18n, readLocales } from "./i18n.js";
import type { Logger } from "./logger.js";
import { Metrics } from "./observability/metrics.js";
import { createAnonymizer } from "./privacy/anon-key.js";
import { describeError } from "./privacy/describe-error.js";
import { redactingReplacer } from "./privacy/redact.js";
import { createSealer, type Sealer } from "./privacy/seal.js";
import { createAnonSecret, readAnonSecret, secretFingerprint, secretPath } from "./privacy/secret.js";
import { Intents } from "./search/intents.js";
import { TopicSearch } from "./search/topic-search.js";
import { Stats } from "./stats/stats.js";
import { asOpenError, openEngine, StorageError } from "./storage/engine.js";
import { type Health, Storage } from "./storage/storage.js";

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
  /** The SQLite file, when no PostgreSQL server is given. */
  databasePath?: string;
  /** A PostgreSQL server (postgres://…), shared by every replica. */
  databaseUrl?: string;
  /** Connections each replica may hold to PostgreSQL. */
  poolSize?: number;
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
  /**
   * The content and locales already read (loadContentBundle), used instead of reading contentDir
   * and localesDir: a process that starts many bots on the same content (the test suite) reads
   * and checks it once. Without it, each start reads them, as production does.
   */
  bundle?: ContentBundle;
  /** Collect Node process metrics (memory, event loop) for /metrics. */
  processMetrics?: boolean;
}

export interface App {
  deps: BotDeps;
  storage: Storage;
  /** Seals updates kept in the inbox (privacy/seal.ts). */
  sealer: Sealer;
  secretOrigin: string;
  /** Whether storage works: /healthz answers with this. */
  healthy(): Promise<Health>;
  /** Deletes chats idle longer than the TTL; returns how many went. */
  sweep(): Promise<number>;
  /** Starts the expiry sweep (one replica at a time) and the counters' flush. */
  startHousekeeping(sweepEveryMs?: number): void;
  close(): Promise<void>;
}

/** The texts, the content checked against them, the typed-text intents and the search over them: what never changes while the bot runs. */
export interface ContentBundle {
  i18n: I18n;
  content: Content;
  intents: Intents;
  /** Builds its index at the first search (or warmUp), then keeps it. */
  search: TopicSearch;
}

/** Reads and checks the content and locales; a problem stops start-up with a ContentError naming it. */
export function loadContentBundle(contentDir = CONTENT_DIR, localesDir = LOCALES_DIR): ContentBundle {
  const i18n = createI18n(readLocales(localesDir));
  const content = loadContent(contentDir, i18n);
  return { i18n, content, intents: Intents.load(join(contentDir, "intents.json")), search: new TopicSearch(content, i18n) };
}

/** Everything the bot needs besides Telegram: content, storage, privacy, search, counters. */
export async function assemble(options: AppOptions): Promise<App> {
  const now = options.now ?? Date.now;
  const logger = options.logger;
  const { i18n, content, intents, search } = options.bundle ?? loadContentBundle(options.contentDir, options.localesDir);

  const sqlite = options.databaseUrl === undefined ? (options.databasePath ?? "data/bot.sqlite") : undefined;
  const engine = await openEngine(sqlite !== undefined ? { engine: "sqlite", path: sqlite } : { engine: "postgres", url: options.databaseUrl!, poolSize: options.poolSize ?? 10 }).catch((error: unknown) => {
    throw asOpenError(error);
  });
  // On PostgreSQL the chat's rate is counted there, with the read of its records (storage.ts).
  const storage = new Storage(engine, { now, conversationReplacer: redactingReplacer, ...(engine.kind === "postgres" ? { rateWindowMs: RATE_WINDOW_MS } : {}) });
  let secret;
  try {
    secret = await anonSecret(storage, options.anonSecret, sqlite);
  } catch (error) {
    await storage.close();
    throw asOpenError(error);
  }

  const sessionTtlDays = options.sessionTtlDays ?? 30;
  const stats = new Stats(storage, logger, now);
  const deps: BotDeps = {
    content,
    i18n,
    storage,
    rateCounter: engine.kind === "postgres" ? sharedRateCounter(storage) : memoryRateCounter(now),
    anonymize: createAnonymizer(secret.secret),
    logger,
    metrics: new Metrics({ processMetrics: options.processMetrics ?? false }),
    stats,
    search,
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

  const sweep = async () => {
    const removed = await storage.sweep(sessionTtlDays * 86_400_000);
    if (removed > 0) logger.info({ removed }, "expired idle chats deleted");
    return removed;
  };
  let sweeper: NodeJS.Timeout | undefined;
  const housekeeping = async (everyMs: number) => {
    try {
      // With several replicas, one sweeps and the others find it done.
      await storage.once("sweep", { everyMs: everyMs - 60_000 }, async () => void (await sweep()));
    } catch (error) {
      storage.reportFailure(`sweep: ${describeError(error).message}`);
      logger.warn({ error: describeError(error) }, "the expiry sweep failed; it runs again at the next interval");
    }
  };

  return {
    deps,
    storage,
    sealer: createSealer(secret.secret),
    secretOrigin: secret.origin,
    healthy: () => storage.health(),
    sweep,
    startHousekeeping(sweepEveryMs = 3_600_000) {
      void housekeeping(sweepEveryMs);
      sweeper ??= setInterval(() => void housekeeping(sweepEveryMs), sweepEveryMs);
      sweeper.unref();
      stats.start();
    },
    async close() {
      clearInterval(sweeper);
      await stats.stop();
      await storage.close();
    },
  };
}

const FINGERPRINT = "anon_secret_fingerprint";

/**
 * The secret the anonymous keys are made with. A database remembers a fingerprint of it, so a
 * secret that was lost or changed (a new one would orphan every chat silently) stops start-up
 * instead; a new secret is generated only for a database that has never held a chat.
 */
async function anonSecret(storage: Storage, fromEnv: string | undefined, sqlite: string | undefined) {
  const stored = await storage.getMeta(FINGERPRINT);
  let secret = readAnonSecret(fromEnv, sqlite);
  if (secret === undefined) {
    if (stored !== undefined || (await storage.count()) > 0) {
      const where = sqlite === undefined ? "ANON_SECRET" : `the file ${secretPath(sqlite) ?? "anon-secret"}`;
      throw new StorageError(
        `The anonymous-key secret (${where}) is missing, but the database holds chats made with it. Restore it from your backup (or set ANON_SECRET to it); to start afresh instead, move the database away too.`,
      );
    }
    secret = createAnonSecret(sqlite);
  }
  const fingerprint = secretFingerprint(secret.secret);
  if (stored === undefined) await storage.setMeta(FINGERPRINT, fingerprint);
  else if (stored !== fingerprint) {
    throw new StorageError(
      `The anonymous-key secret (${secret.origin === "environment" ? "ANON_SECRET" : (secret.path ?? "generated")}) is not the one this database was made with; every chat would be lost. Restore the original secret from your backup.`,
    );
  }
  return secret;
}
