import type { MiddlewareFn } from "grammy";
import { type BotContext, dropSession } from "../context.js";
import type { Screen } from "../screen.js";
import { FORGOTTEN } from "./recent-messages.js";

/** The previous button press in a chat: which message, which button, and what the message shows now. */
export interface LastPress {
  messageId: number;
  data: string;
  /** The screen on that message after the press, when known. */
  screen?: Screen;
  /** Messages the bot deleted (by /forget); presses still queued for them are dropped. */
  deleted?: number[];
}

const LIMIT = 10_000;

/**
 * Presses that arrive faster than the bot answers (a double tap, or several buttons in a row)
 * all carry the message as it was before the first of them, so the message inside a press cannot
 * tell what the message shows now. The chat's previous press can: this remembers it, in memory,
 * by anonymous key. Updates of one chat are handled in order, so it is always current.
 */
export function rememberPresses(): MiddlewareFn<BotContext> {
  const last = new Map<string, LastPress>();
  return async (ctx, next) => {
    const query = ctx.callbackQuery;
    const key = ctx.anonKey;
    if (query?.message === undefined || key === undefined) return next();
    const previous = last.get(key);
    const messageId = query.message.message_id;
    if (previous?.deleted?.includes(messageId)) {
      // Pressed before /forget deleted this message, handled after: nothing to show, nothing to keep.
      dropSession(ctx);
      Object.defineProperty(ctx, FORGOTTEN, { value: true });
      return;
    }
    ctx.lastPress = previous;
    try {
      await next();
    } finally {
      // A press that did not draw on the message leaves it as it was.
      const screen = ctx.scope.shown ?? (previous?.messageId === messageId ? previous.screen : undefined);
      const deleted = ctx.scope.deleted ?? previous?.deleted;
      last.delete(key);
      if (last.size >= LIMIT) last.delete(last.keys().next().value!);
      last.set(key, { messageId, data: query.data ?? "", ...(screen === undefined ? {} : { screen }), ...(deleted === undefined ? {} : { deleted }) });
    }
  };
}

/** Whether this press repeats the chat's previous one: same button on the same message, moments later. */
export function isRepeatPress(ctx: BotContext): boolean {
  const last = ctx.lastPress;
  const query = ctx.callbackQuery;
  return last !== undefined && query?.message !== undefined && last.data === query.data && last.messageId === query.message.message_id;
}
