import { GrammyError, HttpError } from "grammy";
import { assemble, type App } from "./app.js";
import { createBot } from "./bot/index.js";
import { type Config, parseConfig, readEnvironment } from "./config.js";
import { ContentError } from "./content/content.js";
import { createLogger, type Logger } from "./logger.js";
import { describeError } from "./privacy/describe-error.js";
import { registerCommands } from "./run/commands.js";
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

async function main(): Promise<void> {
  const parsed = parseConfig(readEnvironment());
  if (!parsed.ok) throw new StartupError(parsed.problems.map((p) => `Configuration error: ${p}`));
  const config = parsed.config;
  const logger = createLogger({ level: config.logLevel, ...(config.logFormat === undefined ? {} : { format: config.logFormat }) });

  let app: App;
  try {
    app = assemble({
      databasePath: config.databasePath,
      anonSecret: config.anonSecret,
      bookingUrl: config.bookingUrl,
      adminIds: config.adminIds,
      rateLimitPerMinute: config.rateLimitPerMinute,
      sessionTtlDays: config.sessionTtlDays,
      logger,
      processMetrics: true,
    });
  } catch (error) {
    if (error instanceof ContentError) throw new StartupError(error.problems.map((p) => `Content error: ${p}`));
    throw new StartupError([`Cannot open the database at ${config.databasePath}: ${(error as Error).message}`]);
  }
  logger.info({ database: config.databasePath, anonSecret: app.secretOrigin }, "storage ready");

  const bot = createBot(app.deps, { token: config.botToken, ...(config.apiRoot === undefined ? {} : { client: { apiRoot: config.apiRoot } }) });
  try {
    await bot.init();
    await registerCommands(bot.api, app.deps.i18n);
  } catch (error) {
    app.close();
    if (error instanceof GrammyError && error.error_code === 401) throw new StartupError(["Configuration error: BOT_TOKEN was rejected by Telegram (401 Unauthorized); check it with @BotFather"]);
    if (error instanceof HttpError || error instanceof GrammyError) {
      throw new StartupError([`Cannot reach the Telegram Bot API at ${config.apiRoot ?? "https://api.telegram.org"}: ${describeError(error).message}`]);
    }
    throw error;
  }
  logger.info({ bot: bot.botInfo.username }, "connected to Telegram");

  const http = config.http === undefined ? undefined : startHttp(config, app, bot, logger);
  if (http !== undefined) await http.listen().then((a) => logger.info(a, "HTTP server listening"));

  let stopReceiving: () => Promise<void>;
  if (config.mode.kind === "webhook") {
    await registerWebhook(bot, config.mode.url, config.mode.secret, logger);
    stopReceiving = async () => undefined;
  } else {
    const polling = await startPolling(bot, logger);
    stopReceiving = () => polling.stop();
  }
  app.startHousekeeping();

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    const deadline = setTimeout(() => {
      logger.warn("shutdown deadline reached; exiting with work still in flight");
      process.exit(0);
    }, SHUTDOWN_DEADLINE_MS);
    try {
      await stopReceiving();
      await http?.close();
    } catch (error) {
      logger.error({ err: describeError(error) }, "error while stopping");
    }
    app.close();
    clearTimeout(deadline);
    logger.info("stopped");
    logger.flush();
    process.exit(0);
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
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

main().catch((error: unknown) => {
  if (error instanceof StartupError) {
    for (const line of error.lines) console.error(line);
  } else {
    const safe = describeError(error);
    console.error(`Start-up failed: ${safe.type}: ${safe.message}`);
  }
  process.exit(1);
});
