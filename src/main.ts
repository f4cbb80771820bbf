import { setMaxListeners } from "node:events";
import { GrammyError, HttpError } from "grammy";
import { assemble, type App } from "./app.js";
import { createBot } from "./bot/index.js";
import { parseConfig, readEnvironment } from "./config.js";
import { ContentError } from "./content/content.js";
import { createLogger, type Logger } from "./logger.js";
import { describeError } from "./privacy/describe-error.js";
import { keepProfileRegistered, registerWebhook } from "./run/jobs.js";
import { Dispatcher } from "./run/dispatcher.js";
import { leftovers, startPolling } from "./run/polling.js";
import { HttpServer } from "./server/http.js";
import { DatabaseOpenError, StorageError } from "./storage/engine.js";

/** Everything must be stopped within this; the process then exits 0 regardless. */
const SHUTDOWN_DEADLINE_MS = 4_500;
/** Updates still running this long into shutdown are cut short, leaving them time to commit. */
const SHUTDOWN_GRACE_MS = 3_000;
/** A webhook request is answered within this; a slower update gets 503 and Telegram sends it again. */
const WEBHOOK_BUDGET_MS = 8_000;
/** The search index is built this long after start if nobody has searched yet (topic-search.ts): the start itself stays short. */
const SEARCH_WARM_UP_MS = 3_000;

/** Start-up failures the operator can fix: printed as plain lines, never as stack traces. */
class StartupError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join("\n"));
  }
}

/** What has been started so far, stopped in reverse order on SIGTERM or SIGINT, even during start-up. */
const running: { name: string; stop: () => void | Promise<void> }[] = [];
let log: Logger | undefined;
let stopping = false;
/** What waits gives up at once; what still runs after the grace is cut short (bot/index.ts). */
const waits = new AbortController();
const cutShort = new AbortController();
// Every update waiting for a connection or a retry listens to these; that is not a leak.
setMaxListeners(0, waits.signal, cutShort.signal);

async function shutdown(signal: string, code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  log?.info({ signal }, "shutting down");
  waits.abort();
  setTimeout(() => cutShort.abort(), SHUTDOWN_GRACE_MS).unref();
  const deadline = setTimeout(() => {
    log?.warn("shutdown deadline reached; exiting with work still in flight");
    process.exit(code);
  }, SHUTDOWN_DEADLINE_MS);
  deadline.unref();
  for (const part of running.reverse()) {
    try {
      await part.stop();
    } catch (error) {
      log?.error({ error: describeError(error), part: part.name }, "error while stopping");
    }
  }
  clearTimeout(deadline);
  log?.info("stopped");
  process.exit(code);
}

async function main(): Promise<void> {
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));

  const parsed = parseConfig(readEnvironment());
  if (!parsed.ok) throw new StartupError(parsed.problems.map((p) => `Configuration error: ${p}`));
  const config = parsed.config;
  const logger = createLogger({ level: config.logLevel, ...(config.logFormat === undefined ? {} : { format: config.logFormat }) });
  log = logger;

  let app: App;
  try {
    app = await assemble({
      ...(config.database.engine === "sqlite" ? { databasePath: config.database.path } : { databaseUrl: config.database.url, poolSize: config.database.poolSize }),
      anonSecret: config.anonSecret,
      bookingUrl: config.bookingUrl,
      adminIds: config.adminIds,
      rateLimitPerMinute: config.rateLimitPerMinute,
      sessionTtlDays: config.sessionTtlDays,
      contentStaleDays: config.contentStaleDays,
      logger,
      processMetrics: true,
    });
  } catch (error) {
    if (error instanceof ContentError) throw new StartupError(error.problems.map((p) => `Content error: ${p}`));
    if (error instanceof StorageError) throw new StartupError([`Storage error: ${error.message}`]);
    if (!(error instanceof DatabaseOpenError)) throw error;
    const where = config.database.engine === "sqlite" ? config.database.path : "the PostgreSQL server (DATABASE_URL)";
    throw new StartupError([`Cannot open the database at ${where}: ${describeError(error.cause).message}`]);
  }
  running.push({ name: "storage", stop: () => app.close() });
  logger.info({ database: app.storage.engine.describe, anonSecret: app.secretOrigin }, "storage ready");

  const bot = createBot(app.deps, {
    token: config.botToken,
    ...(config.apiRoot === undefined ? {} : { client: { apiRoot: config.apiRoot } }),
    shutdown: { stopping: waits.signal, cut: cutShort.signal },
  });
  const webhook = config.mode.kind === "webhook" ? { url: config.mode.url, secret: config.mode.secret, maxConnections: config.webhookMaxConnections } : undefined;
  // Only what the bot cannot serve without stops start-up: its identity (getMe), a token Telegram
  // rejects, and in webhook mode the webhook. The profile is cosmetic and registered in the background.
  const apiRoot = config.apiRoot ?? "https://api.telegram.org";
  try {
    await bot.init();
    await registerWebhook(bot, app.storage, logger, webhook);
  } catch (error) {
    if (error instanceof GrammyError && error.error_code === 401) throw new StartupError(["Configuration error: BOT_TOKEN was rejected by Telegram (401 Unauthorized); check it with @BotFather"]);
    if (error instanceof HttpError || error instanceof GrammyError) {
      const safe = describeError(error);
      const answer = error instanceof GrammyError ? `${safe.code ?? "an error"}: ${safe.message}` : safe.message;
      throw new StartupError([`Cannot reach the Telegram Bot API at ${apiRoot}: ${safe.method ?? "a call"} failed, ${answer}`]);
    }
    throw error;
  }
  const dispatcher = new Dispatcher(bot, { storage: app.storage, logger, metrics: app.deps.metrics, stopping: waits.signal });
  const fatal = (message: string) => {
    console.error(message);
    void shutdown("fatal", 1);
  };
  const profile = keepProfileRegistered(bot, app.storage, app.deps.i18n, logger, { onFatal: fatal });
  running.push({ name: "profile", stop: () => profile.stop() });
  // The bot's own name, not a user's.
  const botName = bot.botInfo.username;
  logger.info({ bot: botName }, "connected to Telegram");
  if (stopping) return;

  if (config.http !== undefined) {
    const http = new HttpServer({
      host: config.http.host,
      port: config.http.port,
      logger,
      metrics: app.deps.metrics,
      health: () => app.healthy(),
      maxInFlight: Math.max(100, config.webhookMaxConnections * 2),
      ...(webhook === undefined
        ? {}
        : {
            webhook: {
              path: new URL(webhook.url).pathname,
              secret: webhook.secret,
              dispatch: (update) => dispatcher.dispatch(update),
              inFlight: () => dispatcher.inFlight,
              budgetMs: WEBHOOK_BUDGET_MS,
            },
          }),
    });
    logger.info(await http.listen(), "HTTP server listening");
    running.push({ name: "http", stop: () => http.close() });
  }
  if (webhook === undefined) {
    const polling = await startPolling(bot, {
      logger,
      storage: app.storage,
      dispatcher,
      sealer: app.sealer,
      pollTimeoutSeconds: config.pollTimeoutSeconds,
      onFatal: fatal,
    });
    running.push({ name: "polling", stop: () => polling.stop() });
  } else {
    for (const update of await leftovers(app.storage, app.sealer, logger)) void dispatcher.dispatch(update);
    logger.info({ mode: "webhook" }, "bot started");
  }
  app.startHousekeeping();
  app.deps.search.warmUp(SEARCH_WARM_UP_MS, waits.signal);
}

main().catch(async (error: unknown) => {
  if (error instanceof StartupError) {
    for (const line of error.lines) console.error(line);
  } else {
    const safe = describeError(error);
    console.error(`Start-up failed: ${safe.type}: ${safe.message}`);
  }
  for (const part of running.reverse()) await Promise.resolve(part.stop()).catch(() => undefined);
  process.exit(1);
});
