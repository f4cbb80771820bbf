import { GrammyError, HttpError } from "grammy";
import { assemble, type App } from "./app.js";
import { createBot } from "./bot/index.js";
import { type Config, parseConfig, readEnvironment } from "./config.js";
import { ContentError } from "./content/content.js";
import { createLogger, type Logger } from "./logger.js";
import { describeError } from "./privacy/describe-error.js";
import { registerProfile } from "./run/profile.js";
import { startPolling } from "./run/polling.js";
import { registerWebhook } from "./run/webhook.js";
import { HttpServer } from "./server/http.js";

/** Everything must be stopped within this; the process then exits 0 regardless. */
const SHUTDOWN_DEADLINE_MS = 4_500;

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

async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log?.info({ signal }, "shutting down");
  const deadline = setTimeout(() => {
    log?.warn("shutdown deadline reached; exiting with work still in flight");
    process.exit(0);
  }, SHUTDOWN_DEADLINE_MS);
  for (const part of running.reverse()) {
    try {
      await part.stop();
    } catch (error) {
      log?.error({ err: describeError(error), part: part.name }, "error while stopping");
    }
  }
  clearTimeout(deadline);
  log?.info("stopped");
  log?.flush();
  process.exit(0);
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
    app = assemble({
      databasePath: config.databasePath,
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
    throw new StartupError([`Cannot open the database at ${config.databasePath}: ${(error as Error).message}`]);
  }
  running.push({ name: "storage", stop: () => app.close() });
  logger.info({ database: config.databasePath, anonSecret: app.secretOrigin }, "storage ready");

  const bot = createBot(app.deps, { token: config.botToken, ...(config.apiRoot === undefined ? {} : { client: { apiRoot: config.apiRoot } }) });
  try {
    await bot.init();
    await registerProfile(bot.api, app.deps.i18n);
  } catch (error) {
    if (error instanceof GrammyError && error.error_code === 401) throw new StartupError(["Configuration error: BOT_TOKEN was rejected by Telegram (401 Unauthorized); check it with @BotFather"]);
    if (error instanceof HttpError || error instanceof GrammyError) {
      throw new StartupError([`Cannot reach the Telegram Bot API at ${config.apiRoot ?? "https://api.telegram.org"}: ${describeError(error).message}`]);
    }
    throw error;
  }
  // The bot's own name, not a user's.
  const botName = bot.botInfo.username;
  logger.info({ bot: botName }, "connected to Telegram");
  if (stopping) return;

  if (config.http !== undefined) {
    const http = startHttp(config, app, bot, logger);
    logger.info(await http.listen(), "HTTP server listening");
    running.push({ name: "http", stop: () => http.close() });
  }
  if (config.mode.kind === "webhook") {
    await registerWebhook(bot, config.mode.url, config.mode.secret, logger);
  } else {
    const polling = await startPolling(bot, logger);
    running.push({ name: "polling", stop: () => polling.stop() });
  }
  app.startHousekeeping();
}

function startHttp(config: Config, app: App, bot: ReturnType<typeof createBot>, logger: Logger): HttpServer {
  const ping = app.db.prepare("SELECT 1 AS ok");
  return new HttpServer({
    host: config.http!.host,
    port: config.http!.port,
    logger,
    metrics: app.deps.metrics,
    healthy: () => {
      try {
        return ping.get() !== undefined;
      } catch {
        return false;
      }
    },
    ...(config.mode.kind === "webhook"
      ? { webhook: { path: new URL(config.mode.url).pathname, secret: config.mode.secret, handle: (update) => bot.handleUpdate(update) } }
      : {}),
  });
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
