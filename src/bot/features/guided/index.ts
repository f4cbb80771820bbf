import { conversations, createConversation, type ConversationData, pinVersion, type VersionedState, type VersionedStateStorage } from "@grammyjs/conversations";
import { Composer, type Context } from "grammy";
import { parseCallback } from "../../callback-data.js";
import type { CallbackRouter } from "../../callback-router.js";
import type { BotContext } from "../../context.js";
import type { BotDeps } from "../../deps.js";
import { cannotWait, readTyped } from "../../../search/answer.js";
import { firstTap } from "../../first-tap.js";
import { show } from "../../screen.js";
import { menuScreen, showOutdated } from "../../screens.js";
import { decodeAnswers, encodeAnswers, isComplete, nextQuestion } from "./answers.js";
import { GUIDED, guided } from "./conversation.js";
import { questionScreen, routeCard, routeDetailsScreen, routeScreen, routeSummary } from "./screens.js";
import { summaryKeyboard } from "./summary-handoff.js";

/** Typed text is read up to this length, as everywhere else in the bot. */
const TYPED_READ_CHARS = 500;

/** Bump when the conversation's arguments or behaviour change: unfinished ones are then dropped instead of replayed wrongly. */
export const CONVERSATION_VERSION = 3;

/**
 * Only these updates can start, answer or leave the conversation, or be read by a question that
 * waits (typed text); no other update loads its state.
 */
export function concernsConversation(ctx: BotContext): boolean {
  const data = ctx.callbackQuery?.data;
  if (data !== undefined) return /^g(?::|r?$)/.test(data);
  const text = ctx.message?.text;
  return text !== undefined && (!text.startsWith("/") || /^\/route(?:@\w+)?(?:\s|$)/.test(text));
}

/**
 * "My situation": a few questions by buttons, then a personal route, its details and a summary
 * for a lawyer. Each question is one short conversation (see conversation.ts); the screens are
 * shown here, with the bot's own API, before the next conversation is entered.
 */
export function guidedFeature(deps: BotDeps, storage: VersionedStateStorage<BotContext, ConversationData>, buttons: CallbackRouter): Composer<BotContext> {
  const feature = new Composer<BotContext>();
  /**
   * Typed text that must not wait behind a question: deleting one's data, someone detained, fear,
   * wherever in the message it is said («ICE задержал мужа» speaks of a husband too). The rest of
   * the bot answers it; the question stays open.
   */
  const mustNotWait = (ctx: BotContext) => {
    const text = ctx.message?.text;
    return text !== undefined && !text.startsWith("/") && cannotWait(deps.intents, text.slice(0, TYPED_READ_CHARS));
  };
  // After the rest of the bot has answered what cannot wait (the urgent lane, a kind word, the attorney), an open question is shown again below it, so the answers so far are not lost from view.
  feature.filter(
    (ctx) => concernsConversation(ctx) && mustNotWait(ctx),
    async (ctx, next) => {
      await next();
      const open = openQuestion(await storage.read(ctx));
      if (open === undefined || !keepsQuestion(deps, ctx)) return;
      const answers = decodeAnswers(open.code);
      const question = answers === undefined ? undefined : nextQuestion(answers);
      if (question !== undefined) await show(ctx, questionScreen(ctx, answers!, question, open.preset, "resume"), "new");
    },
  );
  const active = feature.filter((ctx) => concernsConversation(ctx) && !mustNotWait(ctx));
  active.use(conversations<BotContext, Context>({ storage: { type: "context", version: CONVERSATION_VERSION, adapter: storage } }));
  // Runs after the conversation has decided, still inside the conversations plugin, so the next one is saved.
  active.use(async (ctx, next) => {
    await next();
    const outcome = ctx.guided;
    if (outcome === undefined) return;
    if (outcome.next === "cancel") {
      await show(ctx, menuScreen(ctx, ctx.t("guided.cancelled")));
    } else if (outcome.next === "route") {
      await show(ctx, routeScreen(ctx, deps, outcome.answers));
      deps.stats.count("route_done", ctx.lang);
    } else {
      // A question shown again for typed text is a new message below it, saying to press a button.
      await ask(ctx, outcome.answers, outcome.preset, outcome.typed === true ? "new" : "auto", outcome.typed === true);
    }
  });
  active.use(createConversation<BotContext, Context>(guided, { id: GUIDED }));

  /** Shows the next question, then waits for its answer in a fresh conversation. */
  async function ask(ctx: BotContext, code: string, preset: boolean, mode: "auto" | "new", typed = false) {
    const answers = decodeAnswers(code)!;
    await show(ctx, questionScreen(ctx, answers, nextQuestion(answers)!, preset, typed ? "pressButton" : undefined), mode);
    await ctx.conversation.enter(GUIDED, code, preset);
  }

  /**
   * "For myself" and "For someone close to me" on the start screen and the menu answer "who is
   * this for", so the flow does not ask it again; /route, which comes without that answer, asks it.
   */
  async function begin(ctx: BotContext, who: "m" | "o" | undefined, mode: "auto" | "new") {
    // Starting again replaces an unfinished conversation rather than failing.
    await ctx.conversation.exitAll();
    await ask(ctx, encodeAnswers(who === undefined ? {} : { who }), who !== undefined, mode);
  }

  active.command("route", (ctx) => begin(ctx, undefined, "new"));
  active.on("callback_query:data", async (ctx) => {
    const action = parseCallback(ctx.callbackQuery.data);
    if (action?.kind === "guidedStart") return begin(ctx, action.forOther ? "o" : "m", "auto");
    // An answer with no conversation waiting for it: from before a restart with a new version, or long finished.
    return showOutdated(ctx);
  });

  buttons
    .on("route", (ctx, { answers }) => (isComplete(answers) ? show(ctx, routeScreen(ctx, deps, answers)) : showOutdated(ctx)))
    .on("routeDetails", async (ctx, { answers, page }) => {
      const screen = isComplete(answers) ? routeDetailsScreen(ctx, deps, answers, page) : undefined;
      return screen === undefined ? showOutdated(ctx) : show(ctx, screen);
    })
    .on("routeSummary", async (ctx, { answers }) => {
      if (!isComplete(answers)) return showOutdated(ctx);
      await ctx.answerCallbackQuery({ text: ctx.t("route.summary.note") });
      // The double-tap guard remembers the pressed message, never the answers: they are not kept.
      if (!firstTap(ctx, `Rs@${ctx.callbackQuery?.message?.message_id ?? 0}`, deps.now())) return;
      await ctx.reply(routeSummary(ctx, deps, answers), { link_preview_options: { is_disabled: true }, reply_markup: { inline_keyboard: summaryKeyboard(ctx, deps, answers) } });
    })
    .on("routeCard", async (ctx, { answers }) => {
      if (!isComplete(answers) || decodeAnswers(answers)!.who !== "o") return showOutdated(ctx);
      await ctx.answerCallbackQuery({ text: ctx.t("route.card.note") });
      if (!firstTap(ctx, `Rc@${ctx.callbackQuery?.message?.message_id ?? 0}`, deps.now())) return;
      await ctx.reply(routeCard(ctx, deps, answers), { link_preview_options: { is_disabled: true } });
    });
  return feature;
}

/** The question a chat's guided conversation waits on, from its saved state: the arguments it was entered with. */
function openQuestion(saved: VersionedState<ConversationData> | undefined): { code: string; preset: boolean } | undefined {
  const { unpack } = pinVersion(CONVERSATION_VERSION);
  const args = unpack(saved)?.[GUIDED]?.[0]?.args;
  if (args === undefined) return undefined;
  try {
    const [code, preset] = JSON.parse(args) as unknown[];
    return typeof code === "string" && typeof preset === "boolean" ? { code, preset } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the open question is shown again below the answer: not after asking to delete one's
 * data (the questions end there), nor below "where was the person detained?", whose buttons must
 * stay the last thing in the chat.
 */
function keepsQuestion(deps: BotDeps, ctx: BotContext): boolean {
  const text = ctx.message?.text?.slice(0, TYPED_READ_CHARS) ?? "";
  const reading = readTyped(deps.search, deps.intents, text, ctx.lang);
  return !(reading.kind === "intent" && reading.intent === "forget") && !(reading.kind === "detained" && reading.where === "ask");
}
