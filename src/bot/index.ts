import type { ConversationData, VersionedStateStorage } from "@grammyjs/conversations";
import { Bot, type ApiClientOptions } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import { describeError } from "../privacy/describe-error.js";
import { botApiAnswers } from "../telegram/answer.js";
import { resilientFetch } from "../telegram/client.js";
import { CallbackRouter } from "./callback-router.js";
import type { BotContext } from "./context.js";
import type { BotDeps } from "./deps.js";
import { adminFeature } from "./features/admin.js";
import { groupsFeature } from "./features/groups.js";
import { concernsConversation, guidedFeature } from "./features/guided/index.js";
import { handoffFeature } from "./features/handoff.js";
import { inlineFeature } from "./features/inline.js";
import { languageFeature } from "./features/language.js";
import { menuFeature } from "./features/menu.js";
import { offlineGuideFeature } from "./features/offline-guide.js";
import { dropForgottenPresses, privacyFeature } from "./features/privacy.js";
import { shareFeature } from "./features/share.js";
import { startFeature } from "./features/start.js";
import { unhandledFeature } from "./features/unhandled.js";
import { urgentFeature } from "./features/urgent.js";
import { attachAnonKey } from "./middleware/anon-key.js";
import { chatQueue, rateLimit } from "./middleware/chat-limits.js";
import { errorBoundary } from "./middleware/error-boundary.js";
import { detectLanguage, rememberLanguage } from "./middleware/language.js";
import { observe } from "./middleware/observe.js";
import { rememberRecentMessages } from "./middleware/recent-messages.js";
import { chatSession, unitOfWork } from "./middleware/unit-of-work.js";
import { updateScope } from "./middleware/update-scope.js";

export interface BotOptions {
  token: string;
  /** Known bot identity (terminal chat, tests, benchmarks); otherwise fetched with getMe. */
  botInfo?: UserFromGetMe;
  /** Where and how the Bot API is reached: `apiRoot` for a self-hosted server, `fetch` for an in-process one. */
  client?: ApiClientOptions;
  /** How the process stops (main.ts): first what waits gives up, then what still runs is cut short. */
  shutdown?: Shutdown;
  /** Each update's time budget; UPDATE_BUDGET_MS unless a test needs a short one. */
  updateBudgetMs?: number;
}

export interface Shutdown {
  /** Aborted when the bot begins to stop: updates waiting their turn, and calls waiting to be retried, give up. */
  stopping: AbortSignal;
  /** Aborted at the end of shutdown's grace: updates still running are cut short, so that they commit in time. */
  cut: AbortSignal;
}

/** How many of one chat's updates may wait behind the one being handled (presses: one); more are dropped. */
const CHAT_QUEUE = 8;
const CHAT_PRESS_QUEUE = 1;

/**
 * Each update's time budget (unit-of-work.ts): below the webhook's answer budget (8 s, main.ts)
 * with room for the commit, and far below PostgreSQL's limit for an idle transaction (60 s).
 */
export const UPDATE_BUDGET_MS = 6_000;

/**
 * The one bot factory. Polling, the webhook, the terminal chat, tests and benchmarks all run what
 * this builds, in this order:
 *
 *   scope → metrics → language → anonymous key → the chat's queue (joined at once, in order;
 *   one at a time) → unit of work (the update's budget; records read; committed with the
 *   handled mark) → the chat's rate → error boundary
 *   private chats: session → presses from before /forget dropped → remembered language
 *                  → recent message ids → features (start, guided, menu, language, handoff,
 *                    urgent lane, share, offline guide, privacy, admin; presses skip those that
 *                    answer only commands) → their buttons (one table)
 *                  → unhandled (typed text)
 *   elsewhere:     inline mode, groups, buttons on inline messages
 */
export function createBot(deps: BotDeps, options: BotOptions): Bot<BotContext> {
  const shutdown = options.shutdown;
  // What grammY reads is the Bot API's envelope, or an error saying what came instead (telegram/answer.ts).
  const transport = botApiAnswers(resilientFetch({ fetch: options.client?.fetch, metrics: deps.metrics, logger: deps.logger, ...(shutdown === undefined ? {} : { stopping: shutdown.stopping }) }), deps.logger);
  const bot = new Bot<BotContext>(options.token, {
    ...(options.botInfo === undefined ? {} : { botInfo: options.botInfo }),
    // Deadlines and retries are the transport's (telegram/client.ts); grammY's own timeout is only a backstop.
    client: { ...options.client, fetch: transport, timeoutSeconds: 600 },
  });

  const conversationStorage: VersionedStateStorage<BotContext, ConversationData> = {
    read: (ctx) => ctx.records!.conversation(),
    write: (ctx, state) => ctx.records!.setConversation(state),
    delete: (ctx) => ctx.records!.setConversation(undefined),
  };

  bot.use(updateScope());
  bot.use(observe(deps.logger, deps.metrics));
  bot.use(detectLanguage(deps.i18n));
  bot.use(attachAnonKey(deps.anonymize));
  const onDrop = (reason: "queue" | "rate") => deps.metrics.dropped.inc({ reason });
  const onAnswerFailed = (error: unknown) => deps.logger.debug({ error: describeError(error) }, "could not answer a dropped update");
  bot.use(
    chatQueue({
      queue: CHAT_QUEUE,
      pressQueue: CHAT_PRESS_QUEUE,
      anonymize: deps.anonymize,
      onDrop,
      onAnswerFailed,
      ...(shutdown === undefined ? {} : { stopping: shutdown.stopping }),
    }),
  );
  bot.use(
    unitOfWork(deps.storage, {
      budgetMs: options.updateBudgetMs ?? UPDATE_BUDGET_MS,
      ...(shutdown === undefined ? {} : { stopping: shutdown.stopping, cut: shutdown.cut }),
      onDuplicate: () => deps.metrics.dropped.inc({ reason: "duplicate" }),
      needsConversation: concernsConversation,
    }),
  );
  bot.use(rateLimit({ counter: deps.rateCounter, perMinute: deps.settings.rateLimitPerMinute, anonymize: deps.anonymize, onDrop, onAnswerFailed }));
  bot.use(errorBoundary(deps.logger, deps.metrics, deps.i18n));

  const inPrivate = bot.chatType("private");
  inPrivate.use(chatSession());
  inPrivate.use(dropForgottenPresses(deps.now));
  inPrivate.use(rememberLanguage(deps.i18n));
  inPrivate.use(rememberRecentMessages(deps.now));
  const buttons = new CallbackRouter();
  // These features answer only commands (their buttons are in the table): a press, most of the
  // traffic, skips them instead of walking a filter per command (npm run bench).
  const commandsOnly = () => inPrivate.filter((ctx) => ctx.callbackQuery === undefined);
  commandsOnly().use(startFeature(deps));
  inPrivate.use(guidedFeature(deps, conversationStorage, buttons));
  commandsOnly().use(
    menuFeature(deps, buttons),
    languageFeature(deps, buttons),
    handoffFeature(deps, buttons),
    urgentFeature(deps, buttons),
    shareFeature(deps, buttons),
    offlineGuideFeature(deps, buttons),
    privacyFeature(deps, buttons),
    adminFeature(deps),
  );
  inPrivate.use(buttons.middleware());
  inPrivate.use(unhandledFeature(deps));

  bot.use(inlineFeature(deps));
  bot.use(groupsFeature());
  // Buttons on messages posted through inline mode carry no callback data of ours.
  bot.on("callback_query", (ctx) => ctx.answerCallbackQuery({ text: ctx.t("unknown.outdatedShort") }));
  return bot;
}
