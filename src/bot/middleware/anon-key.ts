import type { MiddlewareFn } from "grammy";
import type { BotContext } from "../context.js";

/** Derives the chat's anonymous key once per update; sessions and conversations are stored under it. */
export function attachAnonKey(anonymize: (chatId: number) => string): MiddlewareFn<BotContext> {
  return (ctx, next) => {
    ctx.anonKey = ctx.chat?.type === "private" ? anonymize(ctx.chat.id) : undefined;
    return next();
  };
}
