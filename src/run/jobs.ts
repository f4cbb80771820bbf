import { createHash } from "node:crypto";
import { type Bot, GrammyError } from "grammy";
import type { BotContext } from "../bot/context.js";
import type { I18n } from "../i18n.js";
import type { Logger } from "../logger.js";
import { describeError } from "../privacy/describe-error.js";
import type { Storage } from "../storage/storage.js";
import { PROFILE_COMMANDS, registerProfile } from "./profile.js";
import { ALLOWED_UPDATES } from "./updates.js";

/** Telegram's own state is asserted again at least this often, in case someone changed it by hand. */
const REASSERT_MS = 24 * 3_600_000;

function fingerprint(...parts: unknown[]): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("base64url").slice(0, 22);
}

/**
 * Where Telegram sends updates, told once per deployment, not per replica: a replica runs the job
 * only if the last run was for other settings, or long ago (storage.once). Without it a webhook
 * bot hears nothing, so its failure stops start-up. In polling mode, the record is forgotten:
 * polling deletes the webhook (polling.ts), so a later start in webhook mode must set it again.
 */
export async function registerWebhook(bot: Bot<BotContext>, storage: Storage, logger: Logger, webhook: { url: string; secret: string; maxConnections: number } | undefined): Promise<void> {
  if (webhook === undefined) {
    await storage.forgetJob("webhook");
    return;
  }
  const settings = fingerprint(webhook.url, webhook.secret, ALLOWED_UPDATES, webhook.maxConnections);
  const set = await storage.once("webhook", { fingerprint: settings, everyMs: REASSERT_MS }, async () => {
    await bot.api.setWebhook(webhook.url, { secret_token: webhook.secret, allowed_updates: [...ALLOWED_UPDATES], max_connections: webhook.maxConnections });
  });
  logger.info({ mode: "webhook", path: new URL(webhook.url).pathname, registered: set ? "now" : "already" }, "webhook ready");
}

export interface ProfileJobOptions {
  /** The first retry after a failure; each next one waits twice as long, up to `maxRetryMs`. */
  firstRetryMs?: number;
  maxRetryMs?: number;
  /** A failure no retry can mend (the token was revoked): the process should stop. */
  onFatal(message: string): void;
}

export interface BackgroundJob {
  /** Settles once the job has succeeded, or was stopped. */
  readonly done: Promise<void>;
  /** Cancels a waiting retry and aborts an attempt in flight. */
  stop(): Promise<void>;
}

/**
 * The bot's commands, description and short description (profile.ts), registered in the
 * background: they are cosmetic, so the bot serves users at once and never fails to start for
 * them. On Telegram these methods are rate-limited, and a crash loop on a 429 would serve nobody.
 * A failure is logged once as a warning with the method and what the API answered; the job is
 * then tried again, after Telegram's retry_after when it gave one, or a doubling back-off (1 min
 * to 1 h), until it succeeds. Once per deployment, as the webhook (storage.once).
 */
export function keepProfileRegistered(bot: Bot<BotContext>, storage: Storage, i18n: I18n, logger: Logger, options: ProfileJobOptions): BackgroundJob {
  const firstRetryMs = options.firstRetryMs ?? 60_000;
  const maxRetryMs = options.maxRetryMs ?? 3_600_000;
  const texts = fingerprint(PROFILE_COMMANDS, i18n.resources.ru.commands, i18n.resources.en.commands, i18n.resources.ru.profile, i18n.resources.en.profile);
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let wake: () => void = () => undefined;
  let failures = 0;

  const attempt = async (): Promise<boolean> => {
    try {
      const ran = await storage.once("profile", { fingerprint: texts, everyMs: REASSERT_MS }, () => registerProfile(bot.api, i18n, abort.signal));
      if (ran) logger.info(failures === 0 ? {} : { tries: failures + 1 }, "commands and descriptions registered");
      return true;
    } catch (error) {
      if (abort.signal.aborted) return true;
      if (error instanceof GrammyError && error.error_code === 401) {
        options.onFatal("Configuration error: BOT_TOKEN was rejected by Telegram (401 Unauthorized) while registering the commands; check it with @BotFather");
        return true;
      }
      failures++;
      const safe = describeError(error);
      const retryAfterMs = error instanceof GrammyError && error.parameters.retry_after !== undefined ? error.parameters.retry_after * 1000 : 0;
      const retryMs = Math.max(retryAfterMs, Math.min(maxRetryMs, firstRetryMs * 2 ** (failures - 1)));
      const fields = { method: safe.method, ...(safe.code === undefined ? {} : { code: safe.code }), answer: safe.message, retry_in_s: Math.round(retryMs / 1000) };
      if (failures === 1) logger.warn(fields, "could not register the bot's commands and descriptions; the bot runs without them and tries again in the background");
      else logger.debug(fields, "registering the commands and descriptions failed again");
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, retryMs);
        // Not a reason to keep the process alive.
        timer.unref();
      });
      return abort.signal.aborted;
    }
  };

  const done = (async () => {
    while (!abort.signal.aborted && !(await attempt()));
  })();
  return {
    done,
    async stop() {
      abort.abort();
      clearTimeout(timer);
      wake();
      await done;
    },
  };
}
