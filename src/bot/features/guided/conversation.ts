import type { Conversation } from "@grammyjs/conversations";
import type { Context } from "grammy";
import { parseCallback } from "../../callback-data.js";
import type { BotContext } from "../../context.js";
import { decodeAnswers, encodeAnswers, isValidAnswer, nextQuestion, withAnswer, withoutLast } from "./answers.js";

export const GUIDED = "guided";

/** What one answer leads to: the next question, the finished route, or leaving (Cancel, or Back from the first question). */
export type GuidedOutcome = { next: "ask"; answers: string; preset: boolean; typed?: true } | { next: "route"; answers: string } | { next: "cancel" };

/**
 * The guided conversation waits for the answer to one question. Its arguments hold the answers
 * so far (as a code, see answers.ts) and whether "who is this for" was answered before it began
 * (the "for someone close to me" button). It decides what the answer leads to and returns; the
 * feature then shows the next screen and, for the next question, enters a fresh conversation.
 * So the saved state never grows with the number of questions, nothing is replayed but the one
 * wait, and the conversation makes no Bot API calls of its own.
 */
export async function guided(conversation: Conversation<BotContext, Context>, _ctx: Context, code: string, preset: boolean): Promise<void> {
  const update = await conversation.wait();
  // Text typed while a question waits ("I'm in Serbia"): the question again, with a word on the buttons. Commands go on to the rest of the bot.
  const typed = update.message?.text;
  if (typed !== undefined && !typed.startsWith("/")) {
    await conversation.external((outer) => {
      outer.guided = { next: "ask", answers: code, preset, typed: true };
    });
    return;
  }
  const data = update.callbackQuery?.data;
  const action = data === undefined ? undefined : parseCallback(data);
  // Anything but an answer, Back or Cancel (a new start, another button) is for the rest of the bot.
  if (action === undefined || !["guidedAnswer", "guidedBack", "guidedCancel"].includes(action.kind)) {
    await conversation.skip({ next: true });
    return;
  }
  const outcome = decide(code, preset, action);
  // A press meant for another question (a double tap, an older message): keep waiting for this one.
  if (outcome === undefined) {
    await conversation.skip({ next: false });
    return;
  }
  await conversation.external((outer) => {
    outer.guided = outcome;
  });
}

function decide(code: string, preset: boolean, action: NonNullable<ReturnType<typeof parseCallback>>): GuidedOutcome | undefined {
  const answers = decodeAnswers(code) ?? {};
  if (action.kind === "guidedCancel") return { next: "cancel" };
  if (action.kind === "guidedBack") {
    const previous = withoutLast(answers);
    // Back from the first question leaves the conversation, as Cancel does.
    if (previous === answers || (preset && previous.who === undefined)) return { next: "cancel" };
    return { next: "ask", answers: encodeAnswers(previous), preset };
  }
  const question = nextQuestion(answers);
  if (action.kind !== "guidedAnswer" || question === undefined || action.question !== question.id || !isValidAnswer(question, action.answer)) return undefined;
  const updated = withAnswer(answers, question, action.answer);
  const updatedCode = encodeAnswers(updated);
  return nextQuestion(updated) === undefined ? { next: "route", answers: updatedCode } : { next: "ask", answers: updatedCode, preset };
}
