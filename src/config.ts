import { existsSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { z } from "zod";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

/** An address whose scheme is one of `protocols` ("https:", …); anything else gets `message`. */
const urlOf = (protocols: string[], message: string) =>
  z
    .string()
    .trim()
    .refine((v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    }, message);

const httpsUrl = urlOf(["https:"], "must be an https:// address");

const positiveInt = (fallback: number, max: number, min = 1, why = "") =>
  z.coerce
    .number<string | undefined>({ error: "must be a whole number" })
    .int("must be a whole number")
    .min(min, `must be at least ${min}${why}`)
    .max(max, `must be at most ${max}`)
    .default(fallback);

const common = {
  BOT_TOKEN: z
    .string({ error: "is required: create a bot with @BotFather and paste its token" })
    .trim()
    .min(1, "is required: create a bot with @BotFather and paste its token")
    .regex(/^\d+:[A-Za-z0-9_-]+$/, "does not look like a bot token (digits, a colon, then letters, digits, _ or -)"),
  TELEGRAM_API_ROOT: optionalString.pipe(
    urlOf(["http:", "https:"], "must be an http(s):// address")
      .transform((v) => v.replace(/\/+$/, ""))
      .optional(),
  ),
  DATABASE_PATH: optionalString.pipe(z.string().default("data/bot.sqlite")),
  DATABASE_URL: optionalString.pipe(urlOf(["postgres:", "postgresql:"], "must be a postgres:// address, e.g. postgres://bot:password@db:5432/bot").optional()),
  // Updates take all connections but one; the last is for start-up jobs, the sweep and /healthz (storage.ts).
  DATABASE_POOL_SIZE: optionalString.pipe(positiveInt(10, 200, 2, ": updates being handled take all connections but one, which start-up jobs, the sweep and /healthz need")),
  ANON_SECRET: optionalString.pipe(z.string().min(32, "must be at least 32 characters long").optional()),
  BOOKING_URL: optionalString.pipe(httpsUrl.optional()),
  LOG_LEVEL: optionalString.pipe(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` }).default("info")),
  LOG_FORMAT: optionalString.pipe(z.enum(["json", "pretty"], { error: "must be json or pretty" }).optional()),
  SESSION_TTL_DAYS: optionalString.pipe(positiveInt(30, 3650)),
  RATE_LIMIT_PER_MINUTE: optionalString.pipe(positiveInt(40, 10_000)),
  CONTENT_STALE_DAYS: optionalString.pipe(positiveInt(90, 3650)),
  ADMIN_IDS: optionalString.pipe(
    z
      .string()
      .regex(/^-?\d+(\s*,\s*-?\d+)*$/, "must be a comma-separated list of numeric chat ids")
      .transform((v) => v.split(",").map((id) => Number(id.trim())))
      .optional(),
  ),
  POLL_TIMEOUT_SECONDS: optionalString.pipe(positiveInt(30, 50)),
  WEBHOOK_MAX_CONNECTIONS: optionalString.pipe(positiveInt(40, 100)),
  // 0: any free port, the one taken is in the "HTTP server listening" log line (tests run many bots at once).
  PORT: optionalString.pipe(z.coerce.number<string | undefined>({ error: "must be a port number (0-65535)" }).int("must be a port number (0-65535)").min(0, "must be a port number (0-65535)").max(65535, "must be a port number (0-65535)").optional()),
  HOST: optionalString.pipe(z.string().default("0.0.0.0")),
};

const webhookSecret = z
  .string({ error: "is required when WEBHOOK_URL is set: 1-256 characters of A-Z, a-z, 0-9, _ and -" })
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,256}$/, "must be 1-256 characters of A-Z, a-z, 0-9, _ and -");

const pollingSchema = z.object(common);
const webhookSchema = z.object({
  ...common,
  WEBHOOK_URL: httpsUrl,
  WEBHOOK_SECRET: webhookSecret,
});

/** Every variable the bot reads, for the documentation's checks. */
export const SETTING_NAMES: readonly string[] = Object.keys(webhookSchema.shape);

export interface Config {
  botToken: string;
  apiRoot: string | undefined;
  /** Where the data live: a SQLite file, or a PostgreSQL server shared by replicas. */
  database: { engine: "sqlite"; path: string } | { engine: "postgres"; url: string; poolSize: number };
  anonSecret: string | undefined;
  bookingUrl: string | undefined;
  logLevel: (typeof LOG_LEVELS)[number];
  logFormat: "json" | "pretty" | undefined;
  sessionTtlDays: number;
  rateLimitPerMinute: number;
  contentStaleDays: number;
  adminIds: readonly number[];
  pollTimeoutSeconds: number;
  webhookMaxConnections: number;
  /** Where the HTTP server (webhook, /healthz, /metrics) listens; absent in polling mode without PORT. */
  http: { port: number; host: string } | undefined;
  mode: { kind: "polling" } | { kind: "webhook"; url: string; secret: string };
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

/** Reads `.env` (if present) under the real environment, which always wins. */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env, dotenvPath = ".env"): Record<string, string | undefined> {
  const fromFile = existsSync(dotenvPath) ? parseEnv(readFileSync(dotenvPath, "utf8")) : {};
  return { ...fromFile, ...env };
}

export function parseConfig(env: Record<string, string | undefined>): ConfigResult {
  const webhook = env.WEBHOOK_URL !== undefined && env.WEBHOOK_URL.trim() !== "";
  const webhookParsed = webhook ? webhookSchema.safeParse(env) : undefined;
  const parsed = webhookParsed ?? pollingSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? "configuration");
      return `${name} ${issue.message}`;
    });
    return { ok: false, problems: [...new Set(problems)] };
  }
  const e = parsed.data;
  // Replicas must make the same anonymous keys, so the secret cannot be generated by each of them.
  if (e.DATABASE_URL !== undefined && e.ANON_SECRET === undefined) {
    return { ok: false, problems: ["ANON_SECRET is required when DATABASE_URL is set: every replica must make the same anonymous keys (32+ characters; keep it with the database's backups)"] };
  }
  const mode: Config["mode"] =
    webhookParsed?.success === true ? { kind: "webhook", url: webhookParsed.data.WEBHOOK_URL, secret: webhookParsed.data.WEBHOOK_SECRET } : { kind: "polling" };
  const port = e.PORT ?? (webhook ? 8080 : undefined);
  return {
    ok: true,
    config: {
      botToken: e.BOT_TOKEN,
      apiRoot: e.TELEGRAM_API_ROOT,
      database: e.DATABASE_URL === undefined ? { engine: "sqlite", path: e.DATABASE_PATH } : { engine: "postgres", url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE },
      anonSecret: e.ANON_SECRET,
      bookingUrl: e.BOOKING_URL,
      logLevel: e.LOG_LEVEL,
      logFormat: e.LOG_FORMAT,
      sessionTtlDays: e.SESSION_TTL_DAYS,
      rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
      contentStaleDays: e.CONTENT_STALE_DAYS,
      adminIds: e.ADMIN_IDS ?? [],
      pollTimeoutSeconds: e.POLL_TIMEOUT_SECONDS,
      webhookMaxConnections: e.WEBHOOK_MAX_CONNECTIONS,
      http: port === undefined ? undefined : { port, host: e.HOST },
      mode,
    },
  };
}
