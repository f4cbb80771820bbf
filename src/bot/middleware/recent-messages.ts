import type { MiddlewareFn } from "grammy";
import type { BotContext, SessionData } from "../context.js";

/** Telegram lets a bot delete messages in a private chat for 48 hours; older ids are useless. */
export const DELETABLE_FOR_SECONDS = 48 * 3600;
/** A bound on what one chat's session may hold, whatever the traffic. */
const MAX_REMEMBERED = 300;

/** Remembers the ids (never the texts) of the user's and the bot's messages, for /forget. */
export function rememberRecentMessages(now: () => number): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    try {
      await next();
    } finally {
      const ids = [...(ctx.message === undefined ? [] : [ctx.message.message_id]), ...ctx.scope.sent];
      if (ids.length > 0 && ctx.forgotten !== true) remember(ctx.session, ids, Math.floor(now() / 1000));
    }
  };
}

function remember(session: SessionData, ids: number[], nowSeconds: number): void {
  const fresh = (session.recent ?? []).filter(([, at]) => nowSeconds - at < DELETABLE_FOR_SECONDS);
  for (const id of ids) fresh.push([id, nowSeconds]);
  session.recent = fresh.slice(-MAX_REMEMBERED);
}
