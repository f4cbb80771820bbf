import { AsyncLocalStorage } from "node:async_hooks";
import type { Context, MiddlewareFn, Transformer } from "grammy";

/**
 * What the bot did while handling the current update, seen from its Bot API calls. The
 * conversations plugin builds its own API objects, so `watchApiCalls` is installed both on
 * the bot and inside conversations, and reports here through async context.
 */
export interface UpdateScope {
  /** Ids of messages the bot sent. */
  sent: number[];
  /** Whether the update's callback query has been answered. */
  callbackAnswered: boolean;
}

const storage = new AsyncLocalStorage<UpdateScope>();

export function currentScope(): UpdateScope | undefined {
  return storage.getStore();
}

export function updateScope<C extends Context>(): MiddlewareFn<C> {
  return (_ctx, next) => storage.run({ sent: [], callbackAnswered: false }, next);
}

const SENDING_METHODS = new Set(["sendMessage", "sendDocument", "sendPhoto", "copyMessage"]);

export const watchApiCalls: Transformer = async (prev, method, payload, signal) => {
  const scope = storage.getStore();
  if (scope !== undefined && method === "answerCallbackQuery") scope.callbackAnswered = true;
  const result = await prev(method, payload, signal);
  if (scope !== undefined && result.ok && SENDING_METHODS.has(method)) {
    const id = (result.result as { message_id?: unknown } | undefined)?.message_id;
    if (typeof id === "number") scope.sent.push(id);
  }
  return result;
};
