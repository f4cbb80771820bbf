import type { MiddlewareFn } from "grammy";
import type { BotContext } from "../context.js";

/**
 * Derives the anonymous key once per update: the private chat's, or for inline mode the key of
 * the user's private chat with the bot (whose chosen language the answers follow). Records,
 * limits and logs use only this key.
 */
export function attachAnonKey(anonymize: (chatId: number) => string): MiddlewareFn<BotContext> {
  return (ctx, next) => {
    const chat = ctx.chat;
    const inline = ctx.inlineQuery ?? ctx.chosenInlineResult;
    ctx.anonKey = chat?.type === "private" ? anonymize(chat.id) : chat === undefined && inline !== undefined ? anonymize(inline.from.id) : undefined;
    return next();
  };
}
