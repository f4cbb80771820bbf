import { run, type RunnerHandle } from "@grammyjs/runner";
import type { Bot } from "grammy";
import type { Update } from "grammy/types";
import type { BotContext } from "../bot/context.js";
import type { Logger } from "../logger.js";
import { ALLOWED_UPDATES } from "./updates.js";

export interface Polling {
  /** Stops fetching, lets handled updates finish, and confirms them to Telegram. */
  stop(): Promise<void>;
}

/**
 * Long polling with the grammY runner: updates of different chats run concurrently, each chat's
 * in order (the bot sequentializes by chat). On stop, the offset of every fetched update is
 * confirmed after it was handled, so a restart neither loses nor repeats an update.
 */
export async function startPolling(bot: Bot<BotContext>, logger: Logger): Promise<Polling> {
  let lastFetched: number | undefined;
  bot.api.config.use(async (prev, method, payload, signal) => {
    const result = await prev(method, payload, signal);
    if (method === "getUpdates" && result.ok) {
      const updates = result.result as Update[];
      const last = updates.at(-1)?.update_id;
      if (last !== undefined) lastFetched = Math.max(lastFetched ?? last, last);
    }
    return result;
  });
  // A webhook left over from webhook mode would make getUpdates fail.
  await bot.api.deleteWebhook();
  const handle: RunnerHandle = run(bot, { runner: { fetch: { allowed_updates: [...ALLOWED_UPDATES], timeout: 30 }, silent: true } });
  logger.info({ mode: "polling" }, "bot started");
  return {
    async stop() {
      await handle.stop();
      while (handle.size() > 0) await new Promise((r) => setTimeout(r, 10));
      if (lastFetched !== undefined) await bot.api.getUpdates({ offset: lastFetched + 1, limit: 1, timeout: 0 });
    },
  };
}
