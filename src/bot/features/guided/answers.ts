/**
 * The guided conversation's questions and the compact code its answers travel in. Answers are
 * one letter each, so all of them fit in a button (R:<answers>): a route can be shown again,
 * detailed or summarised for a lawyer without the bot keeping anything. Texts live in the
 * locales under guided.questions.<id>.
 */

export const PREFER_NOT_TO_SAY = "ns";

export type QuestionId = "who" | "loc" | "visa" | "res" | "draft" | "views" | "rec" | "group";

export interface Question {
  id: QuestionId;
  answers: readonly string[];
  /** A question that cannot change the route, given the answers before it, is not asked. */
  skip?: (answers: Answers) => boolean;
}

/** An answer letter, or "ns" (prefer not to say), per question answered so far. */
export type Answers = Partial<Record<QuestionId, string>>;

export const QUESTIONS: readonly Question[] = [
  { id: "who", answers: ["m", "o"] },
  { id: "loc", answers: ["r", "a", "u", "b"] },
  // Someone already in the US applies from inside, whatever their visa.
  { id: "visa", answers: ["y", "n", "u"], skip: (a) => a.loc === "u" },
  // Legal residence in the country they are in decides where a US visa interview can be (Astana or Warsaw without it): it matters only abroad, to someone who may need a visa.
  { id: "res", answers: ["y", "n", "u"], skip: (a) => a.loc !== "a" || a.visa === "y" },
  { id: "draft", answers: ["s", "e", "n", "o"] },
  { id: "views", answers: ["p", "v", "n"] },
  { id: "rec", answers: ["n", "y", "u"] },
  // Who travels with them matters to someone about to enter the US: at the border, or in Russia or a third country with a visa
  // (or maybe one) to fly in on. Not to someone already there, nor to someone without a visa away from the border, whose next
  // step is the attorney, not a journey, nor where the place is not said.
  { id: "group", answers: ["a", "f", "o"], skip: (a) => !(a.loc === "b" || ((a.loc === "r" || a.loc === "a") && a.visa !== "n")) },
];

/** In the code: "-" is "prefer not to say", "." a question not (yet) asked. */
const NOT_SAID = "-";
const NOT_ASKED = ".";

/** One character per question, in order: an answer letter, "-" or ".". */
export const ANSWERS_PATTERN = new RegExp(`^${QUESTIONS.map((q) => `[${q.answers.join("")}.\\-]`).join("")}$`);

export function encodeAnswers(answers: Answers): string {
  return QUESTIONS.map((q) => {
    const a = answers[q.id];
    return a === undefined ? NOT_ASKED : a === PREFER_NOT_TO_SAY ? NOT_SAID : a;
  }).join("");
}

/** The answers in a code; undefined for a code this version never made. */
export function decodeAnswers(code: string): Answers | undefined {
  if (!ANSWERS_PATTERN.test(code)) return undefined;
  const answers: Answers = {};
  QUESTIONS.forEach((q, i) => {
    const c = code[i]!;
    if (c !== NOT_ASKED) answers[q.id] = c === NOT_SAID ? PREFER_NOT_TO_SAY : c;
  });
  return answers;
}

export function isValidAnswer(question: Question, answer: string): boolean {
  return answer === PREFER_NOT_TO_SAY || question.answers.includes(answer);
}

/** Whether a question applies, given the answers: a route reads only the answers to questions that apply. */
export function applies(id: QuestionId, answers: Answers): boolean {
  return QUESTIONS.find((q) => q.id === id)!.skip?.(answers) !== true;
}

/** The questions that apply, given the answers so far. */
export function applicableQuestions(answers: Answers): Question[] {
  return QUESTIONS.filter((q) => q.skip?.(answers) !== true);
}

/** The next question to ask, or undefined once every applicable question is answered. */
export function nextQuestion(answers: Answers): Question | undefined {
  return applicableQuestions(answers).find((q) => answers[q.id] === undefined);
}

export function isComplete(code: string): boolean {
  const answers = decodeAnswers(code);
  return answers !== undefined && nextQuestion(answers) === undefined;
}

/** Whether the reader is asking for someone close to them ("who" answered on the start screen, or by the first question). */
export function forOther(answers: Answers): boolean {
  return answers.who === "o";
}

/** The answers with one more, and with any later answer that no longer applies dropped. */
export function withAnswer(answers: Answers, question: Question, answer: string): Answers {
  const next: Answers = { ...answers, [question.id]: answer };
  for (const later of QUESTIONS.slice(QUESTIONS.indexOf(question) + 1)) {
    if (later.skip?.(next) === true) delete next[later.id];
  }
  return next;
}

/** The answers without the last one given: what Back returns to. */
export function withoutLast(answers: Answers): Answers {
  const last = [...QUESTIONS].reverse().find((q) => answers[q.id] !== undefined);
  if (last === undefined) return answers;
  const previous = { ...answers };
  delete previous[last.id];
  return previous;
}
