import type { MiddlewareFn } from "grammy";
import type { Logger } from "../../logger.js";
import { type Metrics, updateType } from "../../observability/metrics.js";
import { shortKey } from "../../privacy/anon-key.js";
import type { BotContext } from "../context.js";

/** Counts and times every update; logs its id and type (never who sent it or what it says). */
export function observe(logger: Logger, metrics: Metrics): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const type = updateType(ctx.update);
    metrics.updates.inc({ type });
    const stop = metrics.latency.startTimer();
    try {
      await next();
    } finally {
      stop();
      if (logger.isLevelEnabled("debug")) {
        logger.debug({ update_id: ctx.update.update_id, type, ...(ctx.anonKey ? { key: shortKey(ctx.anonKey) } : {}) }, "update handled");
      }
    }
  };
}
