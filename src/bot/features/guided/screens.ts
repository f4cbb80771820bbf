import { footer, notesBlock, SCREEN_CHAR_BUDGET } from "../../../content/render.js";
import type { UpdateItem } from "../../../content/schema.js";
import { htmlToText } from "../../../telegram/html.js";
import { type Back, cb } from "../../callback-data.js";
import type { ContentDeps } from "../../deps.js";
import { button, rows, type Screen } from "../../screen.js";
import { renderContext, type View } from "../../screens.js";
import { type Answers, applicableQuestions, decodeAnswers, forOther, PREFER_NOT_TO_SAY, type Question, QUESTIONS } from "./answers.js";
import { routeSteps } from "./route.js";
import { summaryContacts } from "./summary-handoff.js";

/** How many questions a flow may ask: "who is this for" is one of them unless it was answered by the button that began it. */
function maxQuestions(preset: boolean): number {
  return QUESTIONS.length - (preset ? 1 : 0);
}

/** A question, counted as "Question 3 of up to 7" so the count never jumps when a later question turns out not to apply. */
export function questionScreen(view: View, answers: Answers, question: Question, preset: boolean): Screen {
  const t = view.t;
  const base = `guided.questions.${question.id}`;
  const other = forOther(answers) && question.id !== "who";
  const answered = QUESTIONS.filter((q) => answers[q.id] !== undefined).length - (preset ? 1 : 0);
  const max = maxQuestions(preset);
  const lines = [
    ...(answered === 0 ? [t(forOther(answers) ? "guided.introOther" : "guided.intro", { max })] : []),
    `<i>${t("guided.progress", { n: answered + 1, max })}</i>`,
    `<b>${t(other ? `${base}.textOther` : `${base}.text`)}</b>`,
  ];
  const choices = question.answers.map((a) => button.cb(t(`${base}.answers.${a}`), cb.guidedAnswer(question.id, a)));
  return {
    html: lines.join("\n\n"),
    keyboard: [
      ...rows(choices),
      [button.cb(t("guided.skip"), cb.guidedAnswer(question.id, PREFER_NOT_TO_SAY))],
      [button.cb(t("guided.back"), cb.guidedBack), button.cb(t("guided.cancel"), cb.guidedCancel)],
    ],
  };
}

/**
 * A step's text, written to the reader or, when they ask for someone close, about that person.
 * A step may have no "more": its lead says it all.
 */
function stepText(view: View, key: string, other: boolean, part: "lead" | "more"): string {
  const own = other && view.t(`route.stepsOther.${key}.lead`) !== `route.stepsOther.${key}.lead` ? "stepsOther" : "steps";
  const path = `route.${own}.${key}.${part}`;
  const text = view.t(path);
  return text === path ? "" : text;
}

/** Steps a relative takes for themselves: their reasons come after those of the steps about the person's safety. */
const OWN_STEPS = new Set(["send", "talk-safely"]);

/** The dated reasons behind a route's steps: the first of each step's notes, then the rest, without repeats. */
function routeNotes(deps: ContentDeps, steps: string[], limit: number): UpdateItem[] {
  const ordered = [...steps.filter((k) => !OWN_STEPS.has(k)), ...steps.filter((k) => OWN_STEPS.has(k))];
  const notes = ordered.map((key) => deps.content.step(key)?.notes ?? []);
  const picked: UpdateItem[] = [];
  for (let rank = 0; picked.length < limit && notes.some((n) => n.length > rank); rank++) {
    for (const list of notes) {
      const item = list[rank];
      if (item !== undefined && !picked.includes(item) && picked.length < limit) picked.push(item);
    }
  }
  return picked;
}

/** At most this many dated reasons on a route, fewer if the steps leave no room; all are in "What changed", one tap away. */
const ROUTE_NOTES = 3;

/**
 * A route in brief: one line per step, the dated reasons for the steps that changed since 2022,
 * what happens after booking, and the disclaimer. Details are one tap away.
 */
export function routeScreen(view: View, deps: ContentDeps, code: string): Screen {
  const answers = decodeAnswers(code) ?? {};
  const other = forOther(answers);
  const steps = routeSteps(answers);
  const r = renderContext(view, deps);
  const t = view.t;
  const list = steps.map((key, i) => `${i + 1}. ${stepText(view, key, other, "lead")}`).join("\n");
  const booking = deps.settings.bookingUrl;
  const compose = (notes: number) =>
    [
      t(other ? "route.titleOther" : "route.title"),
      list,
      notesBlock(r, routeNotes(deps, steps, notes), "route.notesHeader"),
      `${booking === undefined ? "" : `${t("handoff.afterBooking")}\n`}${t("route.footer", { disclaimer: t("common.disclaimer") })}\n<i>${t("common.signature", { username: view.me.username })}</i>`,
    ]
      .filter((part) => part !== "")
      .join("\n\n");
  let notes = ROUTE_NOTES;
  let html = compose(notes);
  while (notes > 1 && htmlToText(html).length > SCREEN_CHAR_BUDGET) html = compose(--notes);
  const here: Back = { to: "route", answers: code };
  return {
    html,
    keyboard: [
      [button.cb(t("buttons.details"), cb.routeDetails(code))],
      ...(other ? [[button.cb(t("buttons.guideRu"), cb.guide("ru", true))], [button.cb(t("buttons.shareLink"), cb.share)]] : []),
      [button.cb(t("buttons.updates"), cb.updates(here))],
      ...(booking === undefined ? [[button.cb(t("buttons.lawyer"), cb.handoff(here))]] : [[button.url(t("buttons.book"), booking)]]),
      [button.cb(t("buttons.summary"), cb.routeSummary(code))],
      [button.cb(t("buttons.home"), cb.menu)],
    ],
  };
}

/** Each step in full, with the topics that explain them. */
export function routeDetailsScreen(view: View, deps: ContentDeps, code: string): Screen {
  const answers = decodeAnswers(code) ?? {};
  const other = forOther(answers);
  const steps = routeSteps(answers);
  const t = view.t;
  const here: Back = { to: "route", answers: code };
  const text = steps.map((key, i) => {
    const more = stepText(view, key, other, "more");
    return `${i + 1}. <b>${stepText(view, key, other, "lead")}</b>${more === "" ? "" : ` ${more}`}`;
  });
  // The lawyer is one tap away on the route itself; these are the topics behind the steps.
  const topics = [...new Set(steps.map((key) => deps.content.step(key)!.topic))].filter((topic) => topic !== "attorney").slice(0, 6);
  return {
    html: [t("route.detailsTitle"), text.join("\n"), footer(renderContext(view, deps))].join("\n\n"),
    keyboard: [...rows(topics.map((id) => button.cb(t(`topics.${id}.button`), cb.topic(id, here)))), [button.cb(t("buttons.back"), cb.route(code))]],
  };
}

/**
 * The summary a reader forwards to a lawyer themselves: the answers as plain facts, the steps,
 * and the firm's contact. It is built from the button's data and sent as plain text; nothing of
 * it is stored.
 */
export function routeSummary(view: View, deps: ContentDeps, code: string): string {
  const t = view.t;
  const answers = decodeAnswers(code) ?? {};
  const other = forOther(answers);
  const facts = applicableQuestions(answers)
    .filter((q) => q.id !== "who")
    .map((q) => {
      const a = answers[q.id];
      const value = a === undefined || a === PREFER_NOT_TO_SAY ? t("guided.notSaid") : t(`guided.questions.${q.id}.facts.${a}`);
      return `• ${t(`guided.questions.${q.id}.label`)}: ${value}`;
    });
  const steps = routeSteps(answers).map((key, i) => `${i + 1}. ${htmlToText(stepText(view, key, other, "lead"))}`);
  return [
    t("route.summary.title"),
    `${t(other ? "route.summary.introOther" : "route.summary.intro")}\n${facts.join("\n")}`,
    `${t("route.summary.routeHeader")}\n${steps.join("\n")}`,
    [t("route.summary.outro"), ...summaryContacts(view, deps)].join("\n"),
    t("common.signature", { username: view.me.username }),
  ]
    .map((part) => htmlToText(part))
    .join("\n\n");
}
