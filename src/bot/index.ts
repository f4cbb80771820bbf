import { autoRetry } from "@grammyjs/auto-retry";
import type { ConversationData, VersionedState, VersionedStateStorage } from "@grammyjs/conversations";
import { limit } from "@grammyjs/ratelimiter";
import { sequentialize } from "@grammyjs/runner";
import { Bot, type ApiClientOptions, session } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import { languageFromTelegram } from "../i18n.js";
import { describeError } from "../privacy/describe-error.js";
import { redactingReplacer } from "../privacy/redact.js";
import type { BotContext, SessionData } from "./context.js";
import { CallbackRouter } from "./callback-router.js";
import type { BotDeps } from "./deps.js";
import { adminFeature } from "./features/admin.js";
import { groupsFeature } from "./features/groups.js";
import { guidedFeature } from "./features/guided/index.js";
import { handoffFeature } from "./features/handoff.js";
import { inlineFeature } from "./features/inline.js";
import { languageFeature } from "./features/language.js";
import { menuFeature } from "./features/menu.js";
import { offlineGuideFeature } from "./features/offline-guide.js";
import { dropForgottenPresses, privacyFeature } from "./features/privacy.js";
import { shareFeature } from "./features/share.js";
import { startFeature } from "./features/start.js";
import { unhandledFeature } from "./features/unhandled.js";
import { attachAnonKey } from "./middleware/anon-key.js";
import { errorBoundary } from "./middleware/error-boundary.js";
import { detectLanguage, rememberLanguage } from "./middleware/language.js";
import { observe } from "./middleware/observe.js";
import { rememberRecentMessages } from "./middleware/recent-messages.js";
import { updateScope } from "./middleware/update-scope.js";

export interface BotOptions {
  token: string;
  /** Known bot identity (terminal chat, tests, benchmarks); otherwise fetched with getMe. */
  botInfo?: UserFromGetMe;
  /** Where and how the Bot API is reached: `apiRoot` for a self-hosted server, `fetch` for an in-process one. */
  client?: ApiClientOptions;
}

/**
 * The one bot factory. Polling, webhook, the terminal chat, tests and benchmarks all run what
 * this builds, in this order:
 *
 *   one chat at a time → scope → metrics → error boundary → language → anonymous key
 *   private chats: session → presses from before /forget dropped → remembered language
 *                  → recent message ids → rate limit → features (start, guided, menu,
 *                    language, handoff, share, offline guide, privacy, admin) → their buttons
 *                    (one table) → unhandled
 *   elsewhere:     inline mode, groups, buttons on inline messages
 */
export function createBot(deps: BotDeps, options: BotOptions): Bot<BotContext> {
  const bot = new Bot<BotContext>(options.token, {
    ...(options.botInfo === undefined ? {} : { botInfo: options.botInfo }),
    ...(options.client === undefined ? {} : { client: options.client }),
  });
  bot.api.config.use(deps.metrics.countApiErrors);
  bot.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 30 }));

  const sessions = deps.store.adapter<SessionData>("s");
  const conversationStates = deps.store.adapter<VersionedState<ConversationData>>("c", { replacer: redactingReplacer });
  const conversationStorage: VersionedStateStorage<BotContext, ConversationData> = {
    read: (ctx) => conversationStates.read(ctx.anonKey!),
    write: (ctx, state) => conversationStates.write(ctx.anonKey!, state),
    delete: (ctx) => conversationStates.delete(ctx.anonKey!),
  };
  const rateLimit = limit<BotContext, never>({
    timeFrame: 60_000,
    limit: deps.settings.rateLimitPerMinute,
    keyGenerator: (ctx) => ctx.from?.id.toString(),
    onLimitExceeded: async (ctx) => {
      if (ctx.callbackQuery !== undefined) await ctx.answerCallbackQuery({ text: ctx.t("unknown.rateLimited") });
      else if (ctx.chat?.type === "private" && ctx.message !== undefined) await ctx.reply(ctx.t("unknown.rateLimited"));
    },
  });

  // Updates of one chat run one after another, so session reads and writes never interleave.
  bot.use(sequentialize((ctx) => (ctx.chat?.id ?? ctx.from?.id)?.toString()));
  bot.use(updateScope());
  bot.use(observe(deps.logger, deps.metrics));
  bot.use(errorBoundary(deps.logger, deps.metrics, deps.i18n));
  bot.use(detectLanguage(deps.i18n));
  bot.use(attachAnonKey(deps.anonymize));

  const inPrivate = bot.chatType("private");
  inPrivate.use(session({ getSessionKey: (ctx) => ctx.anonKey, storage: sessions, initial: (): SessionData => ({}) }));
  inPrivate.use(dropForgottenPresses(deps.forgetMarks));
  inPrivate.use(rememberLanguage(deps.i18n));
  inPrivate.use(rememberRecentMessages(deps.now));
  inPrivate.use(rateLimit);
  const buttons = new CallbackRouter();
  inPrivate.use(startFeature(deps));
  inPrivate.use(guidedFeature(deps, conversationStorage, buttons));
  inPrivate.use(menuFeature(deps, buttons));
  inPrivate.use(languageFeature(deps, buttons));
  inPrivate.use(handoffFeature(deps, buttons));
  inPrivate.use(shareFeature(deps, buttons));
  inPrivate.use(offlineGuideFeature(deps, buttons));
  inPrivate.use(privacyFeature(deps, buttons));
  inPrivate.use(adminFeature(deps));
  inPrivate.use(buttons.middleware());
  inPrivate.use(unhandledFeature(deps));

  bot.on("inline_query", rateLimit);
  bot.use(
    inlineFeature(deps, async (ctx) => {
      const saved = ctx.from === undefined ? undefined : await sessions.read(deps.anonymize(ctx.from.id));
      return saved?.lang ?? languageFromTelegram(ctx.from?.language_code);
    }),
  );
  bot.use(groupsFeature());
  // Buttons on messages posted through inline mode carry no callback data of ours.
  bot.on("callback_query", (ctx) => ctx.answerCallbackQuery({ text: ctx.t("unknown.outdatedShort") }));

  // The boundary catches everything; this only reports a failure inside the boundary itself.
  bot.catch((error) => deps.logger.error({ update_id: error.ctx.update.update_id, err: describeError(error.error) }, "unhandled error"));
  return bot;
}
