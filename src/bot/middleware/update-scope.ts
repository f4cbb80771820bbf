import type { MiddlewareFn, Transformer } from "grammy";
import type { BotContext } from "../context.js";

/**
 * What the bot did while handling the current update, seen from its Bot API calls: the ids of
 * messages it sent (for /forget) and whether the button press was answered (so the error
 * boundary can stop the spinner exactly once); and the update's budget, given to every call.
 * Calls made inside a conversation use their own API object; the guided conversation sends
 * nothing itself.
 */
export interface UpdateScope {
  sent: number[];
  callbackAnswered: boolean;
  /** The update's budget (unit-of-work.ts): every Bot API call made for it without a signal of its own gets this one. */
  signal?: AbortSignal;
}

const SENDING_METHODS = new Set(["sendMessage", "sendDocument", "sendPhoto", "copyMessage"]);

export function updateScope(): MiddlewareFn<BotContext> {
  return (ctx, next) => {
    const scope: UpdateScope = { sent: [], callbackAnswered: false };
    ctx.scope = scope;
    ctx.api.config.use(watch(scope));
    return next();
  };
}

function watch(scope: UpdateScope): Transformer {
  return async (prev, method, payload, signal) => {
    const result = await prev(method, payload, signal ?? (scope.signal as typeof signal));
    if (method === "answerCallbackQuery" && result.ok) scope.callbackAnswered = true;
    if (result.ok && SENDING_METHODS.has(method)) {
      const id = (result.result as { message_id?: unknown } | undefined)?.message_id;
      if (typeof id === "number") scope.sent.push(id);
    }
    return result;
  };
}
