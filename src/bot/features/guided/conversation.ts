import type { Conversation } from "@grammyjs/conversations";
import type { Context } from "grammy";
import type { Lang } from "../../../i18n.js";
import { cb } from "../../callback-data.js";
import type { BotContext } from "../../context.js";
import type { BotDeps } from "../../deps.js";
import { button, cachedScreen, pairs, type Screen, screenId } from "../../screen.js";
import { menuScreen, type View } from "../../screens.js";
import { type Answers, askedQuestions, isValidAnswer, PREFER_NOT_TO_SAY, QUESTIONS, type Question } from "./questions.js";
import { buildRoute, routeScreen } from "./route.js";

export const GUIDED = "guided";

type GuidedConversation = Conversation<BotContext, Context>;

const ANSWER = /^g:([a-z]+):([a-z]+)$/;

/**
 * The guided "my situation" conversation. The conversations plugin replays this function from
 * the start on every update, so it must be a pure function of what it received: the reader's
 * language comes in as an argument when it starts, and what each message shows is tracked here
 * rather than read back from Telegram. What it tells the rest of the bot (the message it sent,
 * what a message shows now, the finished route for the statistics) goes through
 * `conversation.external`, which runs once and is replayed from its record.
 *
 * Only its own buttons (g:…) are consumed. Any other update is skipped and handled by the rest
 * of the bot, and the conversation keeps waiting where it was.
 */
export function createGuidedConversation(deps: BotDeps) {
  /**
   * `lang` is the reader's language; `showing` is what the message pressed to begin already
   * shows ([message id, screen id]), if the bot knows.
   */
  return async function guided(conversation: GuidedConversation, ctx: Context, lang: Lang, showing?: [number, string]): Promise<void> {
    const view: View = { t: deps.i18n.t(lang), lang, me: ctx.me };
    const render = renderer(conversation, showing);
    const answers: Answers = {};
    let index = 0;
    let current = ctx;
    for (;;) {
      const asked = askedQuestions(answers);
      if (index >= asked.length) break;
      const question = asked[index]!;
      await render(current, questionScreen(view, question, index, asked.length));

      const next = await conversation.wait();
      const data = next.callbackQuery?.data;
      if (data === undefined || !data.startsWith("g:")) await conversation.skip({ next: true });
      current = next;
      if (data === cb.guidedCancel || (data === cb.guidedBack && index === 0)) {
        await render(current, menuScreen(view, view.t("guided.cancelled")));
        return;
      }
      if (data === cb.guidedBack) {
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

    await render(current, routeScreen(view, deps, buildRoute(answers)));
    await conversation.external(() => deps.stats.count("route_done", lang));
  };
}

/**
 * Shows screens for the conversation: edits the pressed message in place, or sends a new one when
 * the conversation began with a command. It remembers what it left on each message, so pressing
 * a button twice never asks Telegram to edit a message to what it already shows.
 */
function renderer(conversation: GuidedConversation, showing?: [number, string]) {
  const shown = new Map<number, string>(showing === undefined ? [] : [showing]);
  return async (ctx: Context, screen: Screen): Promise<void> => {
    const options = { parse_mode: "HTML" as const, reply_markup: { inline_keyboard: screen.keyboard }, link_preview_options: { is_disabled: true } };
    const message = ctx.callbackQuery?.message;
    if (message !== undefined && "text" in message && typeof message.text === "string") {
      if (shown.get(message.message_id) !== screenId(screen)) {
        await ctx.editMessageText(screen.html, options);
        shown.set(message.message_id, screenId(screen));
      }
      // Tell the rest of the bot what the message shows now (see show() in screen.ts).
      await conversation.external((outer) => {
        outer.scope.shown = screen;
      });
      return;
    }
    const sent = await ctx.reply(screen.html, options);
    shown.set(sent.message_id, screenId(screen));
    // The conversation's API object is its own; report the message so /forget can delete it.
    await conversation.external((outer) => {
      outer.scope.sent.push(sent.message_id);
    });
  };
}

export function questionScreen(view: View, question: Question, index: number, total: number): Screen {
  return questionScreens(view, QUESTIONS, question, index, total);
}

const questionScreens = cachedScreen(buildQuestionScreen, (question: Question, index: number, total: number) => `${question.id}|${index}|${total}`);

function buildQuestionScreen(view: View, _questions: readonly Question[], question: Question, index: number, total: number): Screen {
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
