import type { Conversation } from "@grammyjs/conversations";
import type { Context } from "grammy";
import type { Lang } from "../../../i18n.js";
import { cb } from "../../callback-data.js";
import type { BotContext } from "../../context.js";
import type { BotDeps } from "../../deps.js";
import { currentScope } from "../../middleware/update-scope.js";
import { button, isShown, pairs, type Screen } from "../../screen.js";
import { menuScreen, type View } from "../../screens.js";
import { type Answers, askedQuestions, isValidAnswer, PREFER_NOT_TO_SAY, QUESTIONS, type Question } from "./questions.js";
import { buildRoute, routeScreen } from "./route.js";

export const GUIDED = "guided";

type GuidedConversation = Conversation<BotContext, Context>;

const ANSWER = /^g:([a-z]+):([a-z]+)$/;

/**
 * The guided "my situation" conversation. The conversations plugin replays this function from
 * the start on every update, so everything that is not a pure function of the received button
 * data (the reader's language, whether a screen is already shown, counting) goes through
 * `conversation.external`, whose results are recorded and replayed.
 *
 * Only its own buttons (g:…) are consumed. Any other update is skipped and handled by the rest
 * of the bot, and the conversation keeps waiting where it was.
 */
export function createGuidedConversation(deps: BotDeps) {
  return async function guided(conversation: GuidedConversation, ctx: Context): Promise<void> {
    const answers: Answers = {};
    let index = 0;
    let current = ctx;
    for (;;) {
      const asked = askedQuestions(answers);
      if (index >= asked.length) break;
      const question = asked[index]!;
      const view = await viewOf(conversation, deps, ctx);
      await render(conversation, current, questionScreen(view, question, index, asked.length));

      const next = await conversation.wait();
      const data = next.callbackQuery?.data;
      if (data === undefined || !data.startsWith("g:")) await conversation.skip({ next: true });
      current = next;
      if (data === cb.guidedCancel) {
        const after = await viewOf(conversation, deps, ctx);
        await render(conversation, current, menuScreen(after, after.t("guided.cancelled")));
        return;
      }
      if (data === cb.guidedBack) {
        if (index === 0) {
          const after = await viewOf(conversation, deps, ctx);
          await render(conversation, current, menuScreen(after, after.t("guided.cancelled")));
          return;
        }
        delete answers[question.id];
        index--;
        continue;
      }
      const m = ANSWER.exec(data ?? "");
      // An answer to another question (a double tap, or an old message): show the current one again.
      if (m === null || m[1] !== question.id || !isValidAnswer(question, m[2]!)) continue;
      answers[question.id] = m[2]!;
      index++;
      // Answers after this question may no longer apply (e.g. after going back and changing "where").
      for (const later of QUESTIONS.slice(QUESTIONS.indexOf(question) + 1)) {
        if (!askedQuestions(answers).includes(later)) delete answers[later.id];
      }
    }

    const route = buildRoute(answers);
    const view = await viewOf(conversation, deps, ctx);
    await render(conversation, current, routeScreen(view, deps, route));
    await conversation.external(() => deps.stats.count("route_done", view.lang));
  };
}

async function viewOf(conversation: GuidedConversation, deps: BotDeps, ctx: Context): Promise<View> {
  const lang = await conversation.external((outer) => outer.lang as Lang);
  return { t: deps.i18n.t(lang), lang, me: ctx.me };
}

export function questionScreen(view: View, question: Question, index: number, total: number): Screen {
  const t = view.t;
  const base = `guided.questions.${question.id}`;
  const lines = [
    ...(index === 0 ? [t("guided.intro")] : []),
    `<i>${t("guided.progress", { n: index + 1, total })}</i>`,
    `<b>${t(`${base}.text`)}</b>`,
  ];
  const answers = question.answers.map((a) => button.cb(t(`${base}.answers.${a}`), cb.guidedAnswer(question.id, a)));
  return {
    html: lines.join("\n\n"),
    keyboard: [
      ...pairs(answers),
      [button.cb(t("guided.skip"), cb.guidedAnswer(question.id, PREFER_NOT_TO_SAY))],
      [button.cb(t("guided.back"), cb.guidedBack), button.cb(t("guided.cancel"), cb.guidedCancel)],
    ],
  };
}

/** Edits the pressed message in place, or sends a new one when the conversation began with a command. */
async function render(conversation: GuidedConversation, ctx: Context, screen: Screen): Promise<void> {
  const options = { parse_mode: "HTML" as const, reply_markup: { inline_keyboard: screen.keyboard }, link_preview_options: { is_disabled: true } };
  const message = ctx.callbackQuery?.message;
  if (message !== undefined && "text" in message && typeof message.text === "string") {
    const text = message.text;
    const keyboard = message.reply_markup?.inline_keyboard;
    const shown = await conversation.external(() => isShown(screen, text, keyboard));
    if (!shown) await ctx.editMessageText(screen.html, options);
    return;
  }
  const sent = await ctx.reply(screen.html, options);
  await conversation.external(() => {
    currentScope()?.sent.push(sent.message_id);
  });
}
