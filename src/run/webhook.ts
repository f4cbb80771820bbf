import type { Bot } from "grammy";
import type { BotContext } from "../bot/context.js";
import type { Logger } from "../logger.js";
import { ALLOWED_UPDATES } from "./updates.js";

/** Tells Telegram where to send updates, with the secret it must present on each request. */
export async function registerWebhook(bot: Bot<BotContext>, url: string, secret: string, logger: Logger): Promise<void> {
  await bot.api.setWebhook(url, { secret_token: secret, allowed_updates: [...ALLOWED_UPDATES], max_connections: 40 });
  logger.info({ mode: "webhook", path: new URL(url).pathname }, "webhook registered");
}
