import { formatDate, isoDay } from "../../../content/dates.js";
import { footer, madeOn, notesBlock, PAGE_CHAR_AIM, SCREEN_CHAR_BUDGET } from "../../../content/render.js";
import { deepLink } from "../../deep-link.js";
import type { UpdateItem } from "../../../content/schema.js";
import { htmlToText } from "../../../telegram/html.js";
import { type Back, cb } from "../../callback-data.js";
import type { ContentDeps } from "../../deps.js";
import { button, rows, type Screen } from "../../screen.js";
import { renderContext, type View } from "../../screens.js";
import { type Answers, applicableQuestions, decodeAnswers, forOther, PREFER_NOT_TO_SAY, type Question, QUESTIONS } from "./answers.js";
import { isOwnStep, routeSteps } from "./route.js";
import { summaryContacts } from "./summary-handoff.js";

/**
 * How many questions a flow asks at most. "Who is this for", which only /route asks (the menu's
 * buttons answer it), opens the flow uncounted, so every way in gives the same count.
 */
export const MAX_QUESTIONS = QUESTIONS.filter((q) => q.id !== "who").length;

/**
 * A question, counted as "Question 3 of up to 7" so the count never jumps when a later question
 * turns out not to apply. `note` heads it when it is shown again: after typed text (answer with a
 * button), or after the bot answered something urgent typed meanwhile (the answers so far are kept).
 */
export function questionScreen(view: View, answers: Answers, question: Question, preset: boolean, note?: "pressButton" | "resume"): Screen {
  const t = view.t;
  const base = `guided.questions.${question.id}`;
  const other = forOther(answers) && question.id !== "who";
  const given = QUESTIONS.filter((q) => answers[q.id] !== undefined).length - (preset ? 1 : 0);
  const counted = QUESTIONS.filter((q) => q.id !== "who" && answers[q.id] !== undefined).length;
  const lines = [
    ...(note === undefined ? [] : [t(`guided.${note}`)]),
    ...(given === 0 ? [t(forOther(answers) ? "guided.introOther" : "guided.intro", { max: MAX_QUESTIONS })] : []),
    ...(question.id === "who" ? [] : [`<i>${t("guided.progress", { n: counted + 1, max: MAX_QUESTIONS })}</i>`]),
    `<b>${t(other ? `${base}.textOther` : `${base}.text`)}</b>`,
  ];
  const choices = question.answers.map((a) => button.cb(t(`${base}.answers.${a}`), cb.guidedAnswer(question.id, a)));
  // Someone asking for a person who is already held needs the urgent lane, not a route: one tap from "where is he or she now?".
  const held = question.id === "loc" && forOther(answers) ? [[button.cb(t("buttons.urgent"), cb.detainedWhere())]] : [];
  return {
    html: lines.join("\n\n"),
    keyboard: [
      ...rows(choices),
      ...held,
      [button.cb(t("guided.skip"), cb.guidedAnswer(question.id, PREFER_NOT_TO_SAY))],
      [button.cb(t("guided.back"), cb.guidedBack), button.cb(t("guided.cancel"), cb.guidedCancel)],
    ],
  };
}

/**
 * A step's text, written to the reader or, when they ask for someone close, about that person.
 * A step may have no "more": its lead says it all.
 */
export function stepText(view: View, key: string, other: boolean, part: "lead" | "more"): string {
  const own = other && view.t(`route.stepsOther.${key}.lead`) !== `route.stepsOther.${key}.lead` ? "stepsOther" : "steps";
  const path = `route.${own}.${key}.${part}`;
  const text = view.t(path);
  return text === path ? "" : text;
}

/**
 * The dated reasons behind a route's steps. Notes that change what the reader must do (a step's
 * "keep") always come, whatever the room; then the others, the first of each step before the
 * second, up to `limit` in all, without repeats. A relative's own steps give their reasons after
 * those of the steps about the person's safety.
 */
export function routeNotes(deps: ContentDeps, steps: readonly string[], limit: number): UpdateItem[] {
  const ordered = [...steps.filter((k) => !isOwnStep(k)), ...steps.filter((k) => isOwnStep(k))].map((key) => deps.content.step(key)!);
  const picked: UpdateItem[] = [];
  // A note comes with the notes that qualify it, or not at all (updates.json, shownWith).
  const withQualifiers = (item: UpdateItem) => [item, ...deps.content.qualifiers(item)].filter((n) => !picked.includes(n));
  for (const step of ordered) for (const item of step.keep) picked.push(...withQualifiers(item));
  // Then each step's most important note not shown yet that fits, step by step, round after round.
  for (let added = true; added && picked.length < limit; ) {
    added = false;
    for (const step of ordered) {
      const item = step.notes.find((n) => !picked.includes(n) && picked.length + withQualifiers(n).length <= limit);
      if (item !== undefined) {
        picked.push(...withQualifiers(item));
        added = true;
      }
    }
  }
  return picked;
}

/** How many dated reasons a route screen aims for: kept notes may make more, and a long route fewer (never fewer than its kept ones). */
export const ROUTE_NOTES = 5;

/** As many notes as fit, up to `most`: kept ones always, others while there is room. */
function fitNotes(deps: ContentDeps, steps: readonly string[], most: number, compose: (notes: UpdateItem[], spare: boolean) => string): string {
  const kept = routeNotes(deps, steps, 0).length;
  for (let limit = Math.max(most, kept); limit > kept; limit--) {
    const html = compose(routeNotes(deps, steps, limit), true);
    if (htmlToText(html).length <= SCREEN_CHAR_BUDGET) return html;
  }
  // Only the kept notes: shorten the rest of the screen rather than drop one of them.
  const html = compose(routeNotes(deps, steps, kept), true);
  return htmlToText(html).length <= SCREEN_CHAR_BUDGET ? html : compose(routeNotes(deps, steps, kept), false);
}

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
  const html = fitNotes(deps, steps, ROUTE_NOTES, (notes, spare) =>
    [
      t(other ? "route.titleOther" : "route.title"),
      list,
      notesBlock(r, notes, "route.notesHeader"),
      `${booking === undefined || !spare ? "" : `${t("handoff.afterBooking")}\n`}${t("route.footer", { disclaimer: t("common.disclaimer") })}\n<i>${t("common.signature", { username: view.me.username })}</i>`,
    ]
      .filter((part) => part !== "")
      .join("\n\n"),
  );
  const here: Back = { to: "route", answers: code };
  // A relative reaches the person with a card written to them, and, in Russia, with the offline guide;
  // where the person could be held in the US, the urgent lane says how to find them.
  const inRussia = answers.loc === "r" || !["a", "b", "u"].includes(answers.loc ?? "");
  const mayBeHeld = other && steps.some((key) => key.startsWith("if-held"));
  return {
    html,
    keyboard: [
      [button.cb(t("buttons.details"), cb.routeDetails(code))],
      ...(mayBeHeld ? [[button.cb(t("buttons.urgent"), cb.urgent(here))]] : []),
      ...(other ? [[button.cb(t("buttons.card"), cb.routeCard(code))], ...(inRussia ? [[button.cb(t("buttons.guideRu"), cb.guide("ru", true))]] : [])] : []),
      [button.cb(t("buttons.updates"), cb.updates(here))],
      ...(booking === undefined ? [[button.cb(t("buttons.lawyer"), cb.handoff(here))]] : [[button.url(t("buttons.book"), booking)]]),
      [button.cb(t("buttons.summary"), cb.routeSummary(code))],
      [button.cb(t("buttons.home"), cb.menu)],
    ],
  };
}

/** How a route's step details split into pages, per content, by language, bot, age of the list and answers. */
const detailPages = new WeakMap<object, Map<string, { key: string; line: string }[][]>>();

/** Every note of these steps, those that change what the reader must do first: what a page of step details shows beside them. */
function allNotes(deps: ContentDeps, steps: readonly string[]): UpdateItem[] {
  const kept = routeNotes(deps, steps, 0);
  return [...kept, ...steps.flatMap((key) => deps.content.step(key)!.notes)].filter((item, i, list) => list.indexOf(item) === i);
}

/**
 * The steps that say more than their line on the route, in full and numbered as there, each page
 * with every dated reason of its steps (so "dated below" always holds) and the topics that explain
 * them; in pages when they do not fit one screen. Undefined for a page that does not exist.
 */
export function routeDetailsScreen(view: View, deps: ContentDeps, code: string, page = 1): Screen | undefined {
  const answers = decodeAnswers(code) ?? {};
  const other = forOther(answers);
  const steps = routeSteps(answers);
  const t = view.t;
  const r = renderContext(view, deps);
  const detailed = steps.flatMap((key, i) => {
    const more = stepText(view, key, other, "more");
    return more === "" ? [] : [{ key, line: `${i + 1}. <b>${stepText(view, key, other, "lead")}</b> ${more}` }];
  });
  // Every page says how far the notes of all the pages run, so the pages of one route agree.
  const every = allNotes(deps, detailed.map((d) => d.key));
  // Steps whose line on the route says it all are not repeated; a reader counting steps is told so, on the first page.
  const some = detailed.length < steps.length ? `\n${t("route.detailsSome", { steps: detailed.map((d) => steps.indexOf(d.key) + 1).join(", ") })}` : "";
  const compose = (part: typeof detailed, total: number, n: number) =>
    [
      `${t("route.detailsTitle")}${total > 1 ? ` · ${t("updates.page", { n, total })}` : ""}${n === 1 ? some : ""}`,
      part.map((d) => d.line).join("\n\n"),
      notesBlock(r, allNotes(deps, part.map((d) => d.key)), "route.notesHeader", every),
      footer(r),
    ]
      .filter((text) => text !== "")
      .join("\n\n");
  // Steps go on a page while it stays as short as a card; a step that cannot share a page gets its own.
  // Every page of a route splits them alike, so the split is made once per route, language and age.
  const split = `${view.lang}|${view.me.username}|${r.staleAfterDays ?? ""}|${code}`;
  let splits = detailPages.get(deps.content);
  if (splits === undefined) detailPages.set(deps.content, (splits = new Map()));
  let pages = splits.get(split);
  if (pages === undefined) {
    pages = [];
    for (const step of detailed) {
      const current = pages.at(-1);
      const candidate = current === undefined ? undefined : [...current, step];
      if (candidate !== undefined && htmlToText(compose(candidate, 9, pages.length)).length <= PAGE_CHAR_AIM) pages[pages.length - 1] = candidate;
      else pages.push([step]);
    }
    if (splits.size >= 2000) splits.clear();
    splits.set(split, pages);
  }
  const shown = pages[page - 1];
  if (shown === undefined) return undefined;
  const keys = shown.map((d) => d.key);
  // The lawyer is one tap away on the route itself; these are the topics behind the steps on this page.
  const topics = [...new Set(keys.map((key) => deps.content.step(key)!.topic))].filter((topic) => topic !== "attorney").slice(0, 4);
  const turn = [
    ...(page > 1 ? [button.cb(t("buttons.previousPage"), cb.routeDetails(code, page - 1))] : []),
    ...(page < pages.length ? [button.cb(t("buttons.nextPage"), cb.routeDetails(code, page + 1))] : []),
  ];
  // A topic opened from here comes back here; a step that points to the card "below" has the card below.
  const here: Back = { to: "details", answers: code, page };
  const card = other && keys.some((key) => CARD_STEPS.has(key)) ? [[button.cb(t("buttons.card"), cb.routeCard(code))]] : [];
  return {
    html: compose(shown, pages.length, page),
    keyboard: [...rows(topics.map((id) => button.cb(t(`topics.${id}.button`), cb.topic(id, here)))), ...card, ...(turn.length > 0 ? [turn] : []), [button.cb(t("buttons.back"), cb.route(code))]],
  };
}

/** Steps whose text speaks of this chat or of the bot's summary: the summary and a card forwarded to another person leave them out. */
const CHAT_STEPS = new Set(["phone", "phone-russia", "phone-now", "consult"]);

/** A relative's steps that point to the card for the person: wherever they are shown, the card's button is too. */
const CARD_STEPS = new Set(["send", "send-abroad", "send-border"]);

/**
 * The summary a reader forwards to a lawyer themselves: the answers as plain facts, the steps,
 * and the firm's contact. For a relative, the facts and steps are the other person's: the
 * relative's own steps (reaching and talking to them) are left out. It is built from the button's
 * data and sent as plain text; nothing of it is stored.
 */
export function routeSummary(view: View, deps: ContentDeps, code: string): string {
  const t = view.t;
  const answers = decodeAnswers(code) ?? {};
  const other = forOther(answers);
  const facts = applicableQuestions(answers)
    .filter((q) => q.id !== "who")
    .map((q) => {
      const a = answers[q.id];
      const value = a === undefined || a === PREFER_NOT_TO_SAY ? t(other ? "guided.notSaidOther" : "guided.notSaid") : t(`guided.questions.${q.id}.facts.${a}`);
      return `• ${plain(t(`guided.questions.${q.id}.label`))}: ${plain(value)}`;
    });
  // Neither the relative's own steps nor those about this chat and this summary belong in it.
  const steps = routeSteps(answers)
    .filter((key) => !(other && isOwnStep(key)) && !CHAT_STEPS.has(key))
    .map((key, i) => `${i + 1}. ${plain(stepText(view, key, other, "lead"))}`);
  return [
    plain(t("route.summary.title")),
    `${plain(t(other ? "route.summary.introOther" : "route.summary.intro"))}\n${facts.join("\n")}`,
    `${plain(t("route.summary.routeHeader"))}\n${steps.join("\n")}`,
    [plain(t(other ? "route.summary.outroOther" : "route.summary.outro")), ...summaryContacts(view, deps).map((line) => htmlToText(line))].join("\n"),
    // Read later, by the firm: the day it was made (the answers may have changed since).
    `${t("route.summary.madeOn", { date: formatDate(t, isoDay(deps.now())) })}\n${plain(t("common.signature", { username: view.me.username }))}`,
  ].join("\n\n");
}

/** Locale texts as plain text. A summary is made of a few hundred of them, which the content check combines tens of thousands of times: each is converted once. */
const plainTexts = new Map<string, string>();
function plain(html: string): string {
  let text = plainTexts.get(html);
  if (text === undefined) {
    if (plainTexts.size >= 5000) plainTexts.clear();
    plainTexts.set(html, (text = htmlToText(html)));
  }
  return text;
}

/**
 * The card a relative forwards to the person they asked about, written to him in Russian (what the
 * bot sends relatives in Russia, whatever the asker's own language): the steps of his own route for
 * the same answers, every contact of the firm, and a link that opens the bot for him. Plain text, built from
 * the button's data; nothing of it is stored.
 */
export function routeCard(view: View, deps: ContentDeps, code: string): string {
  const ru: View = { t: deps.i18n.t("ru"), lang: "ru", me: view.me };
  const answers = decodeAnswers(code) ?? {};
  const his = routeSteps({ ...answers, who: "m" }).filter((key) => !CHAT_STEPS.has(key));
  const steps = his.map((key, i) => `${i + 1}. ${htmlToText(stepText(ru, key, false, "lead"))}`);
  const today = isoDay(deps.now());
  const r = renderContext(ru, deps);
  // The card is read away from the bot, where no one can tap for the reasons: they travel with it, dated.
  const notes = routeNotes(deps, his, ROUTE_NOTES);
  return [
    ru.t("route.card.title"),
    `${ru.t("route.card.intro")}\n${steps.join("\n")}`,
    notesBlock(r, notes, "route.notesHeader"),
    madeOn(r, "route.card.madeOn", notes, today),
    [ru.t("route.card.consult"), ...summaryContacts(ru, deps)].join("\n"),
    // Someone already in the US crosses no border: the card does not tell him to delete it before one.
    [
      ru.t("route.card.bot", { link: deepLink(view.me.username, { lang: "ru", source: "sh" }) }),
      // In Russia the link may need a VPN (the list's Telegram notes); the phone works without one.
      ...(answers.loc === "r" ? [ru.t("route.card.noTelegram")] : []),
      ...(answers.loc === "u" ? [] : [ru.t("route.card.delete")]),
    ].join("\n"),
    `${ru.t("common.disclaimer")}\n${ru.t("common.signature", { username: view.me.username })}`,
  ]
    .filter((part) => part !== "")
    .map((part) => htmlToText(part))
    .join("\n\n");
}
