import { createHash } from "node:crypto";
import type { Bot } from "grammy";
import type { BotContext } from "../bot/context.js";
import type { I18n } from "../i18n.js";
import type { Logger } from "../logger.js";
import type { Storage } from "../storage/storage.js";
import { PROFILE_COMMANDS, registerProfile } from "./profile.js";
import { ALLOWED_UPDATES } from "./updates.js";

/** Telegram's own state is asserted again at least this often, in case someone changed it by hand. */
const REASSERT_MS = 24 * 3_600_000;

function fingerprint(...parts: unknown[]): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("base64url").slice(0, 22);
}

/**
 * What the bot tells Telegram about itself at start-up: its commands and descriptions, and in
 * webhook mode where to send updates. Once per deployment, not per replica: a replica runs a job
 * only if the last run was for other texts or settings, or long ago (storage.once).
 */
export async function startupJobs(
  bot: Bot<BotContext>,
  storage: Storage,
  i18n: I18n,
  logger: Logger,
  webhook: { url: string; secret: string; maxConnections: number } | undefined,
): Promise<void> {
  const texts = fingerprint(PROFILE_COMMANDS, i18n.resources.ru.commands, i18n.resources.en.commands, i18n.resources.ru.profile, i18n.resources.en.profile);
  if (await storage.once("profile", { fingerprint: texts, everyMs: REASSERT_MS }, () => registerProfile(bot.api, i18n))) logger.info("commands and descriptions registered");
  if (webhook === undefined) {
    // Polling deletes the webhook (polling.ts), so a later start in webhook mode must set it again.
    await storage.forgetJob("webhook");
    return;
  }
  const settings = fingerprint(webhook.url, webhook.secret, ALLOWED_UPDATES, webhook.maxConnections);
  const set = await storage.once("webhook", { fingerprint: settings, everyMs: REASSERT_MS }, async () => {
    await bot.api.setWebhook(webhook.url, { secret_token: webhook.secret, allowed_updates: [...ALLOWED_UPDATES], max_connections: webhook.maxConnections });
  });
  logger.info({ mode: "webhook", path: new URL(webhook.url).pathname, registered: set ? "now" : "already" }, "webhook ready");
}
