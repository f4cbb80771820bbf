import type { MiddlewareFn } from "grammy";
import { languageFromTelegram, type I18n } from "../../i18n.js";
import type { BotContext } from "../context.js";

/** Before sessions load: the language the sender's Telegram app reports. */
export function detectLanguage(i18n: I18n): MiddlewareFn<BotContext> {
  return (ctx, next) => {
    ctx.lang = languageFromTelegram(ctx.from?.language_code);
    ctx.t = i18n.t(ctx.lang);
    return next();
  };
}

/** In private chats: the language remembered in the session wins; the first contact sets it. */
export function rememberLanguage(i18n: I18n): MiddlewareFn<BotContext> {
  return (ctx, next) => {
    const session = ctx.session;
    if (session.lang === undefined) session.lang = ctx.lang;
    else if (session.lang !== ctx.lang) {
      ctx.lang = session.lang;
      ctx.t = i18n.t(ctx.lang);
    }
    return next();
  };
}

export function setLanguage(ctx: BotContext, i18n: I18n, lang: BotContext["lang"]): void {
  ctx.session.lang = lang;
  ctx.lang = lang;
  ctx.t = i18n.t(lang);
}
