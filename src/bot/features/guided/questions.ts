/**
 * The guided conversation's questions. Answers are short codes; "ns" (prefer not to say) is
 * accepted everywhere. Texts live in locales under guided.questions.<id>.
 */

export const PREFER_NOT_TO_SAY = "ns";

export type Answers = Partial<Record<QuestionId, string>>;

export interface Question {
  id: QuestionId;
  answers: readonly string[];
  /** Questions that cannot change the route for these earlier answers are not asked. */
  skip?: (answers: Answers) => boolean;
}

export type QuestionId = "loc" | "visa" | "draft" | "views" | "rec" | "group";

export const QUESTIONS: readonly Question[] = [
  { id: "loc", answers: ["ru", "ab", "us", "bd"] },
  // Someone already in the US applies from inside whatever their visa.
  { id: "visa", answers: ["y", "n", "u"], skip: (a) => a.loc === "us" },
  { id: "draft", answers: ["s", "e", "n", "o"] },
  { id: "views", answers: ["p", "v", "n"] },
  { id: "rec", answers: ["n", "y", "u"] },
  // Travelling companions matter at the border; not for someone inside the US or flying in on a visa.
  { id: "group", answers: ["a", "f", "o"], skip: (a) => a.loc === "us" || a.visa === "y" },
];

export function isValidAnswer(question: Question, answer: string): boolean {
  return answer === PREFER_NOT_TO_SAY || question.answers.includes(answer);
}

/** Questions that will be asked, given the answers so far. */
export function askedQuestions(answers: Answers): Question[] {
  return QUESTIONS.filter((q) => q.skip?.(answers) !== true);
}
