import type { MiddlewareFn } from "grammy";
import { GrammyError } from "grammy";
import { languageFromTelegram, type I18n } from "../../i18n.js";
import type { Logger } from "../../logger.js";
import type { Metrics } from "../../observability/metrics.js";
import { shortKey } from "../../privacy/anon-key.js";
import { describeError } from "../../privacy/describe-error.js";
import type { BotContext } from "../context.js";

/** A user who blocked the bot, or deleted their account: nothing to say, nothing to fix. */
export function isUnreachable(error: unknown): boolean {
  return error instanceof GrammyError && error.error_code === 403;
}

/** After an update's budget ran out, its last word (the apology, the press's answer) gets this long of its own. */
const LAST_WORD_MS = 1_500;

/**
 * The one place errors are caught. The user gets a polite answer, the log gets the update id
 * and a description without personal data, and every button press gets its spinner stopped.
 * Runs after `updateScope`, which sees whether a callback query was already answered.
 */
export function errorBoundary(logger: Logger, metrics: Metrics, i18n: I18n): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const answered = () => ctx.scope.callbackAnswered;
    // Within the update's budget, its signal; once that ran out, a short deadline of the last word's own.
    const lastWord = () => (ctx.scope.signal?.aborted === true ? (AbortSignal.timeout(LAST_WORD_MS) as never) : undefined);
    try {
      await next();
    } catch (error) {
      metrics.errors.inc();
      const key = ctx.anonKey === undefined ? {} : { key: shortKey(ctx.anonKey) };
      if (isUnreachable(error)) {
        logger.info({ update_id: ctx.update.update_id, ...key }, "user unreachable (blocked the bot); update dropped");
        return;
      }
      if (ctx.scope.signal?.aborted === true) {
        // Not a bug: the Bot API (or the database) was too slow for the update's budget, or the bot is stopping.
        logger.warn({ update_id: ctx.update.update_id, ...key, reason: describeError(ctx.scope.signal.reason).message }, "update cut short: it ran out of its time budget");
      } else {
        logger.error({ update_id: ctx.update.update_id, ...key, error: describeError(error) }, "update failed");
      }
      const t = ctx.t ?? i18n.t(languageFromTelegram(ctx.from?.language_code));
      try {
        if (ctx.callbackQuery !== undefined && !answered()) {
          await ctx.answerCallbackQuery({ text: t("unknown.error") }, lastWord());
        } else if (ctx.chat?.type === "private" && ctx.message !== undefined) {
          await ctx.reply(t("unknown.error"), undefined, lastWord());
        }
      } catch (apology) {
        logger.warn({ update_id: ctx.update.update_id, error: describeError(apology) }, "could not apologise to the user");
      }
    } finally {
      if (ctx.callbackQuery !== undefined && !answered()) {
        await ctx.answerCallbackQuery(undefined, lastWord()).catch((e: unknown) => logger.warn({ update_id: ctx.update.update_id, error: describeError(e) }, "could not answer callback query"));
      }
    }
  };
}
