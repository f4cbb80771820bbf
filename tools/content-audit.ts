import { join } from "node:path";
import type { InlineKeyboardButton, UserFromGetMe } from "grammy/types";
import { CONTENT_DIR } from "../src/app.js";
import { CALLBACK_DATA_MAX_BYTES } from "../src/bot/callback-data.js";
import type { ContentDeps } from "../src/bot/deps.js";
import { type Answers, encodeAnswers, forOther, nextQuestion, PREFER_NOT_TO_SAY, QUESTIONS } from "../src/bot/features/guided/answers.js";
import { routeSteps } from "../src/bot/features/guided/route.js";
import { questionScreen, routeCard, routeDetailsScreen, routeScreen, routeSummary } from "../src/bot/features/guided/screens.js";
import { abroadScreen } from "../src/bot/features/abroad.js";
import { handoffScreen } from "../src/bot/features/handoff.js";
import { forgetAskScreen } from "../src/bot/features/privacy.js";
import { summaryKeyboard } from "../src/bot/features/guided/summary-handoff.js";
import { atBorderScreen, deadlineScreen } from "../src/bot/features/typed-answers.js";
import { bondScreen, detainedAbroadScreen, detainedRussiaScreen, detainedWhereScreen, distressScreen, freeHelpScreen, urgentScreen } from "../src/bot/features/urgent.js";
import { type SourcedSentence, sourcedSentences } from "../src/content/sourced.js";
import { SCREEN_BUTTON_BUDGET, type Screen } from "../src/bot/screen.js";
import { languageScreen, menuScreen, renderContext, sectionScreen, sectionsScreen, topicScreen, updatesPageScreen, updatesScreen, type View } from "../src/bot/screens.js";
import type { Back } from "../src/bot/callback-data.js";
import { newestSource } from "../src/content/content.js";
import { daysSince } from "../src/content/dates.js";
import { renderTopicCard, SCREEN_CHAR_BUDGET } from "../src/content/render.js";
import { LANGUAGES, type Lang, localeKeys } from "../src/i18n.js";
import { htmlToText, MAX_BUTTON_URL_LENGTH, MAX_COPY_TEXT_LENGTH, MAX_MESSAGE_LENGTH, parseTelegramHtml } from "../src/telegram/html.js";
import { acronymProblems, type Glossary, languageProblems, readGlossary } from "./content-language.js";
import { copyProblems, gradeProblems, readVerifiedList } from "./verified-list.js";

/** A bot username of Telegram's maximum length, so every check holds for any deployment. */
const LONGEST_ME = { username: "x".repeat(32), id: 1, is_bot: true, first_name: "x" } as UserFromGetMe;

/** A label longer than this does not fit beside another one on a phone. */
export const SHARED_ROW_LABEL = 20;

/** What a topic screen aims at, as the content guide asks, fresh (with no stale warning): a card a reader takes in at once. */
export const CARD_CHAR_AIM = 1200;

/**
 * Notes chosen by what a step says: a step whose text mentions one of these must keep (never cut)
 * the note that changes what its reader must do about it.
 */
export const MENTIONS: { what: string; words: Record<Lang, RegExp>; keep: string }[] = [
  { what: "fees", words: { en: /\bfees?\b/i, ru: /сбор|пошлин/i }, keep: "fee-rejection" },
];

/** The parts of a text that have a short form and a full form; a condition of the full form must be in both. */
const FORMS = [["short", "text"], ["description", "body"]] as const;

export interface TopicRow {
  id: string;
  kind: string;
  cites: string[];
  /** Characters the reader sees on the topic screen, per language. */
  length: Record<Lang, number>;
}

export interface ScreenStat {
  name: string;
  lang: Lang;
  chars: number;
  buttons: number;
}

export interface UpdateAge {
  id: string;
  grade: string;
  date: string | null;
  checked: string;
  ageDays: number;
}

export interface AuditReport {
  topics: TopicRow[];
  routes: number;
  screens: number;
  /** The longest screen of each language. */
  longest: Record<Lang, ScreenStat>;
  updates: UpdateAge[];
  /** Shown items whose check is older than CONTENT_STALE_DAYS: a warning, never a failure. */
  stale: UpdateAge[];
  /** What an operator should fill in before going live (firm details): advice, not failures. */
  advice: string[];
  /** Every sentence of the urgent lane and the safety card, with its source (content/sourced.json). */
  sourced: SourcedSentence[];
  problems: string[];
}

/** Every screen the bot can show, by name, in one language. */
export function* everyScreen(deps: ContentDeps, lang: Lang): Generator<[string, Screen]> {
  const view: View = { t: deps.i18n.t(lang), lang, me: LONGEST_ME };
  yield ["menu", menuScreen(view)];
  yield ["sections", sectionsScreen(view, deps)];
  for (const section of deps.content.sections) yield [`section ${section.id}`, sectionScreen(view, deps, section.id)!];
  const backs: Back[] = [{ to: "section", id: "help" }, { to: "menu" }, { to: "topic", id: "political-case" }, { to: "route", answers: "orn-pnn" }];
  for (const topic of deps.content.topics) for (const back of backs) yield [`topic ${topic.id}`, topicScreen(view, deps, topic, back)];
  yield ["updates", updatesScreen(view, deps, { to: "route", answers: "orn-pnn" })];
  for (const group of deps.content.updates.groups) {
    for (let page = 1; ; page++) {
      const screen = updatesPageScreen(view, deps, group, page, { to: "route", answers: "orn-pnn" });
      if (screen === undefined) break;
      yield [`updates ${group} p${page}`, screen];
    }
  }
  yield ["language", languageScreen(view, deps)];
  yield ["lawyer", handoffScreen(view, deps, { to: "route", answers: "orn-pnn" })];
  yield ["urgent: someone detained", urgentScreen(view, deps, { to: "route", answers: "orn-pnn" })];
  yield ["urgent: detained, the person held", urgentScreen(view, deps, { to: "route", answers: "orn-pnn" }, true)];
  yield ["urgent: bond now", bondScreen(view, deps, { to: "route", answers: "orn-pnn" })];
  yield ["urgent: detained where?", detainedWhereScreen(view, { to: "route", answers: "orn-pnn" })];
  yield ["urgent: detained where? (the person held)", detainedWhereScreen(view, { to: "route", answers: "orn-pnn" }, true)];
  yield ["urgent: detained in Russia", detainedRussiaScreen(view, deps, { to: "route", answers: "orn-pnn" })];
  yield ["urgent: detained in another country", detainedAbroadScreen(view, deps, { to: "menu" })];
  yield ["urgent: detained in another country (named)", detainedAbroadScreen(view, deps, { to: "menu" }, { id: "x", name: { ru: "Республика Северная Македония", en: "the Republic of North Macedonia" } })];
  yield ["urgent: free legal help", freeHelpScreen(view, deps, { to: "urgent" })];
  yield ["typed: the one-year deadline", deadlineScreen(view, deps)];
  yield ["typed: at the US border", atBorderScreen(view, deps)];
  yield ["urgent: distress", distressScreen(view, deps)];
  yield ["third country", abroadScreen(view, deps, undefined)];
  yield ["third country (named)", abroadScreen(view, deps, { id: "x", name: { ru: "Республика Северная Македония", en: "the Republic of North Macedonia" } }, ["fraud"])];
  yield ["forget (typed)", forgetAskScreen(view, view.t("free.forget"))];
  // Screens depend on fewer things than the answers: each distinct one is checked once.
  const seen = new Set<string>();
  for (const answers of everyAnswerCombination()) {
    const code = encodeAnswers(answers);
    const next = nextQuestion(answers);
    const answered = QUESTIONS.filter((q) => answers[q.id] !== undefined).length;
    const key = next === undefined ? `route ${forOther(answers)} ${routeSteps(answers).join(",")}` : `question ${next.id} ${answered} ${forOther(answers)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (next !== undefined) {
      yield [`question ${next.id}`, questionScreen(view, answers, next, false)];
      if (forOther(answers) && answered === 1) yield [`question ${next.id} (for someone close)`, questionScreen(view, answers, next, true)];
      continue;
    }
    yield [`route ${code}`, routeScreen(view, deps, code)];
    for (let page = 1; ; page++) {
      const screen = routeDetailsScreen(view, deps, code, page);
      if (screen === undefined) break;
      yield [`route details ${code} p${page}`, screen];
    }
  }
}

/**
 * Checks every screen built from content against Telegram's limits and the phone budget, in both
 * languages. Screens are checked as they look once the update list has grown old, with the stale
 * warning on them: content that fits now must still fit then, so time alone never fails a build.
 */
export function auditContent(current: ContentDeps, sourceDir = join(CONTENT_DIR, "source")): AuditReport {
  const aged = Date.parse(`${current.content.updates.newestCheck}T00:00:00Z`) + (current.settings.contentStaleDays + 1) * 86_400_000;
  const deps: ContentDeps = { ...current, now: () => aged };
  const problems: string[] = [];
  const longest = {} as Record<Lang, ScreenStat>;
  const topics = new Map<string, TopicRow>(deps.content.topics.map((t) => [t.id, { id: t.id, kind: t.kind, cites: t.cites, length: { ru: 0, en: 0 } }]));
  const routes = new Set<string>();
  const glossary = readGlossary(join(sourceDir, "CONTENT-GUIDE.md"));
  let screens = 0;
  for (const lang of LANGUAGES) {
    longest[lang] = { name: "", lang, chars: 0, buttons: 0 };
    for (const [name, screen] of everyScreen(deps, lang)) {
      screens++;
      if (name.startsWith("route ") && !name.startsWith("route details")) routes.add(name);
      const stat = measure(name, lang, screen);
      for (const p of checkScreen(screen)) problems.push(`${name} (${lang}): ${p}`);
      for (const p of screenTextProblems(deps, lang, screen, glossary)) problems.push(`${name} (${lang}): ${p}`);
      if (stat.chars > longest[lang].chars) longest[lang] = stat;
      const topic = topics.get(name.replace(/^topic /, ""));
      if (name.startsWith("topic ") && topic !== undefined) topic.length[lang] = Math.max(topic.length[lang], stat.chars);
    }
    const view: View = { t: deps.i18n.t(lang), lang, me: LONGEST_ME };
    for (const topic of deps.content.topics) {
      const card = renderTopicCard(renderContext(view, deps), topic);
      for (const p of checkText(card)) problems.push(`topic ${topic.id} inline card (${lang}): ${p}`);
      if (lang === "ru") for (const p of acronymProblems(htmlToText(card), glossary)) problems.push(`topic ${topic.id} inline card (ru): ${p}`);
    }
    const cards = new Set<string>();
    for (const answers of everyAnswerCombination()) {
      if (nextQuestion(answers) !== undefined) continue;
      // The longest summaries are those with every answer given; the check is cheap enough to run on all.
      const code = encodeAnswers(answers);
      const summary = routeSummary(view, deps, code);
      if (summary.length > MAX_MESSAGE_LENGTH) problems.push(`summary ${code} (${lang}): ${summary.length} characters, over Telegram's ${MAX_MESSAGE_LENGTH}`);
      if (lang === "ru") for (const p of acronymProblems(summary, glossary)) problems.push(`summary ${code} (ru): ${p}`);
      // The card a relative forwards is in Russian whatever the asker's language, and follows from his
      // own steps and where he is: each such card is rendered and read once.
      const his = forOther(answers) ? `${routeSteps({ ...answers, who: "m" }).join(",")}|${answers.loc ?? ""}` : undefined;
      if (his !== undefined && !cards.has(his)) {
        cards.add(his);
        const card = routeCard(view, deps, code);
        if (card.length > MAX_MESSAGE_LENGTH) problems.push(`card ${code}: ${card.length} characters, over Telegram's ${MAX_MESSAGE_LENGTH}`);
        for (const p of acronymProblems(card, glossary)) problems.push(`card ${code} (ru): ${p}`);
      }
      // The copy button carries the short version: checkButtons holds it to 1-256 characters.
      for (const p of checkButtons(summaryKeyboard(view, deps, code).flat())) problems.push(`summary ${code} (${lang}): ${p}`);
    }
  }

  problems.push(...noteProblems(deps), ...conditionProblems(deps), ...stepTextProblems(deps), ...questionTextProblems(deps), ...gradeWordingProblems(deps), ...buttonTitleProblems(deps));
  problems.push(...gradeProblems(deps.content.updates.all, readVerifiedList(join(sourceDir, "updates-2026-11.md"))));
  problems.push(...copyProblems(deps.content.updates.all, join(sourceDir, "updates-2026-11.md")));
  problems.push(...languageProblems(deps.i18n, deps.content, glossary));

  const now = current.now();
  const updates = deps.content.updates.all.map((i) => ({ id: i.id, grade: i.grade, date: i.date, checked: i.checked, ageDays: daysSince(i.checked, now) }));
  const stale = updates.filter((u) => u.grade !== "unverified" && u.ageDays > deps.settings.contentStaleDays);

  const firm = deps.content.firm;
  const advice = [
    ...(["name", "languages", "cost", "hours"] as const).filter((f) => firm[f].en === "" || firm[f].ru === "").map((f) => `firm.json: "${f}" is not set; the lawyer screen leaves it out`),
    ...(firm.email === "" ? ['firm.json: "email" is not set'] : []),
    ...(deps.content.videoUrl === undefined ? ['topics.json: "videoUrl" is not set; timestamps are not links to the video'] : []),
    ...cardAdvice(current),
  ];
  const sourced = sourcedSentences(deps.content, deps.i18n);
  problems.push(...sourced.problems);
  return { topics: [...topics.values()], routes: routes.size, screens, longest, updates, stale, advice, sourced: sourced.sentences, problems };
}

/** Topic screens as readers see them while the list is fresh, against the aim for a card: an aim, so a card over it is advice, not a failure. */
function cardAdvice(deps: ContentDeps): string[] {
  const problems: string[] = [];
  for (const lang of LANGUAGES) {
    const view: View = { t: deps.i18n.t(lang), lang, me: LONGEST_ME };
    for (const topic of deps.content.topics) {
      if (topic.kind === "updates") continue;
      const chars = htmlToText(topicScreen(view, deps, topic, { to: "menu" }).html).length;
      if (chars > CARD_CHAR_AIM) problems.push(`topic ${topic.id} (${lang}) is ${chars} characters, over the ${CARD_CHAR_AIM} a card aims at; shorten it`);
    }
  }
  return problems;
}

/** Notes by what a step says; every list of notes dated, so its header can say how far its sources run. */
function noteProblems(deps: ContentDeps): string[] {
  const problems: string[] = [];
  const steps = new Set([...everyAnswerCombination()].filter((a) => nextQuestion(a) === undefined).flatMap((a) => routeSteps(a)));
  for (const key of steps) {
    const step = deps.content.step(key);
    if (step === undefined) {
      problems.push(`route step "${key}": not in routes.json`);
      continue;
    }
    for (const lang of LANGUAGES) {
      const t = deps.i18n.t(lang);
      const text = ["steps", "stepsOther"].flatMap((own) => ["lead", "more"].map((part) => `route.${own}.${key}.${part}`)).filter((k) => deps.i18n.has(lang, k)).map((k) => t(k)).join(" ");
      for (const mention of MENTIONS) {
        if (mention.words[lang].test(text) && !step.keep.some((n) => n.id === mention.keep)) problems.push(`route step "${key}": its ${lang} text mentions ${mention.what}, so it must keep note "${mention.keep}"`);
      }
    }
    if (step.notes.length > 0 && !step.notes.some((n) => newestSource(n) !== undefined)) problems.push(`route step "${key}": none of its notes has a dated source`);
  }
  for (const topic of deps.content.topics) {
    const notes = deps.content.notesFor(topic.id);
    if (notes.length > 0 && !notes.some((n) => newestSource(n) !== undefined)) problems.push(`topic "${topic.id}": none of its notes has a dated source`);
  }
  return problems;
}

/** What a screen says that must hold on it: an acronym explained where a Russian screen first names it; "(button below)" only above that button; no doubled full stop. */
function screenTextProblems(deps: ContentDeps, lang: Lang, screen: Screen, glossary: Glossary): string[] {
  const text = htmlToText(screen.html);
  const problems = lang === "ru" ? acronymProblems(text, glossary) : [];
  const t = deps.i18n.t(lang);
  if (text.includes(BUTTON_BELOW[lang]) && !screen.keyboard.flat().some((b) => b.text === t("buttons.card"))) problems.push(`says "${BUTTON_BELOW[lang]}" without the card's button below`);
  // A sentence that ends on an abbreviation ("июнь 2026 г.") takes no second full stop.
  const doubled = /[^.]\.\.(?!\.)/.exec(text);
  if (doubled !== null) problems.push(`two full stops: …${text.slice(Math.max(0, doubled.index - 30), doubled.index + 3)}`);
  return problems;
}

/** How a text points to the card's button under it. */
export const BUTTON_BELOW: Record<Lang, string> = { ru: "(кнопка ниже)", en: "(button below)" };

/**
 * A confirmed item's wording never sounds unconfirmed: its short line and full text do not use the
 * words of the label for a likely item ("reported", «по сообщениям»), which would read as a grade.
 */
export function gradeWordingProblems(deps: ContentDeps): string[] {
  const problems: string[] = [];
  for (const lang of LANGUAGES) {
    const t = deps.i18n.t(lang);
    const label = new RegExp(`(?<![\\p{L}])${t("common.grades.likely").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\p{L}])`, "iu");
    for (const item of deps.content.updates.items.filter((i) => i.grade === "confirmed")) {
      for (const form of ["short", "text"]) {
        if (label.test(htmlToText(t(`updates.items.${item.id}.${form}`)))) problems.push(`updates.items.${item.id}.${form} (${lang}): the item is confirmed, but its text says «${t("common.grades.likely")}», the label of a likely one`);
      }
    }
  }
  return problems;
}

/** The words of a label or title that name something: five letters or more, without numbers and punctuation. */
function namingWords(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}-]+/gu) ?? []).filter((w) => [...w].length >= 5);
}

/**
 * A topic's button is its title, shortened: every word of five letters or more on the button starts
 * (first five letters) like a word of the title, so the button never promises a topic the reader
 * does not find.
 */
export function buttonTitleProblems(deps: ContentDeps): string[] {
  const problems: string[] = [];
  for (const lang of LANGUAGES) {
    const t = deps.i18n.t(lang);
    for (const topic of deps.content.topics) {
      const title = htmlToText(t(`topics.${topic.id}.title`));
      const stems = new Set(namingWords(title).map((w) => [...w].slice(0, 5).join("")));
      const stray = namingWords(t(`topics.${topic.id}.button`)).filter((w) => !stems.has([...w].slice(0, 5).join("")));
      if (stray.length > 0) problems.push(`topics.${topic.id}.button (${lang}): «${stray.join(", ")}» is not in the title «${title}»; the button is the title, shortened`);
    }
  }
  return problems;
}

/** A condition of a full text ("without legal residence in another country") is in its short form too. */
function conditionProblems(deps: ContentDeps): string[] {
  const problems: string[] = [];
  for (const lang of LANGUAGES) {
    const t = deps.i18n.t(lang);
    for (const key of localeKeys(deps.i18n.resources[lang]).filter((k) => k.endsWith(".condition"))) {
      const base = key.slice(0, -".condition".length);
      const condition = htmlToText(t(key)).toLowerCase();
      const forms = FORMS.find(([short, full]) => deps.i18n.has(lang, `${base}.${short}`) && deps.i18n.has(lang, `${base}.${full}`));
      if (forms === undefined) {
        problems.push(`${key} (${lang}): a condition belongs beside a short form and its full text (short and text, or description and body)`);
        continue;
      }
      for (const form of forms) {
        if (!htmlToText(t(`${base}.${form}`, { recorded: "" })).toLowerCase().includes(condition)) problems.push(`${base}.${form} (${lang}): leaves out its condition «${t(key)}»`);
      }
    }
  }
  return problems;
}

/** Every question's texts, for the reader and about someone close, its answers and the facts a summary states. */
function questionTextProblems(deps: ContentDeps): string[] {
  const problems: string[] = [];
  for (const lang of LANGUAGES) {
    for (const q of QUESTIONS) {
      const base = `guided.questions.${q.id}`;
      const keys = [`${base}.text`, `${base}.label`, ...(q.id === "who" ? [] : [`${base}.textOther`]), ...q.answers.flatMap((a) => [`${base}.answers.${a}`, `${base}.facts.${a}`])];
      for (const key of keys) if (!deps.i18n.has(lang, key)) problems.push(`question "${q.id}": missing ${lang} ${key}`);
    }
  }
  return problems;
}

/** Every step a route can show has its text: to the reader in their own route, about the person in a relative's. */
function stepTextProblems(deps: ContentDeps): string[] {
  const keys = new Set<string>();
  for (const answers of everyAnswerCombination()) {
    if (nextQuestion(answers) !== undefined) continue;
    const own = forOther(answers) ? "stepsOther" : "steps";
    for (const key of routeSteps(answers)) keys.add(`route.${own}.${key}.lead`);
  }
  return [...keys].flatMap((key) => LANGUAGES.filter((lang) => !deps.i18n.has(lang, key)).map((lang) => `route step "${key.split(".")[2]}": missing ${lang} ${key}`));
}

function measure(name: string, lang: Lang, screen: Screen): ScreenStat {
  const parsed = parseTelegramHtml(screen.html);
  return { name, lang, chars: parsed.ok ? parsed.text.trim().length : 0, buttons: screen.keyboard.flat().length };
}

export function checkText(html: string): string[] {
  const p = parseTelegramHtml(html);
  if (!p.ok) return [`invalid Telegram HTML: ${p.error}`];
  if (p.text.trim().length > MAX_MESSAGE_LENGTH) return [`${p.text.trim().length} characters, over Telegram's ${MAX_MESSAGE_LENGTH}`];
  return [];
}

/** Telegram's limits, and what fits a phone: the character and button budgets, short labels side by side, one disclaimer. */
export function checkScreen(screen: Screen): string[] {
  const problems = checkText(screen.html);
  const parsed = parseTelegramHtml(screen.html);
  if (parsed.ok) {
    const chars = parsed.text.trim().length;
    if (chars > SCREEN_CHAR_BUDGET) problems.push(`${chars} visible characters, over the ${SCREEN_CHAR_BUDGET} a phone screen holds`);
    const disclaimers = parsed.text.split("ℹ️").length - 1;
    if (disclaimers > 1) problems.push(`the disclaimer appears ${disclaimers} times`);
  }
  const buttons = screen.keyboard.flat();
  if (buttons.length > SCREEN_BUTTON_BUDGET) problems.push(`${buttons.length} buttons, over the ${SCREEN_BUTTON_BUDGET} a phone screen holds`);
  for (const row of screen.keyboard) {
    if (row.length > 1) for (const b of row) if ([...b.text].length > SHARED_ROW_LABEL) problems.push(`button "${b.text}" is too long to share a row`);
  }
  problems.push(...checkButtons(buttons));
  return problems;
}

/** What Telegram refuses in a button: callback data over 64 bytes, a copy text outside 1-256 characters, a link it does not open or too long. */
export function checkButtons(buttons: readonly InlineKeyboardButton[]): string[] {
  const problems: string[] = [];
  for (const button of buttons) {
    if ("callback_data" in button && button.callback_data !== undefined) {
      const bytes = Buffer.byteLength(button.callback_data);
      if (bytes > CALLBACK_DATA_MAX_BYTES) problems.push(`button "${button.text}" has ${bytes} bytes of callback data (max ${CALLBACK_DATA_MAX_BYTES})`);
    }
    if ("copy_text" in button && (button.copy_text.text.length < 1 || button.copy_text.text.length > MAX_COPY_TEXT_LENGTH)) {
      problems.push(`button "${button.text}" copies ${button.copy_text.text.length} characters (1-${MAX_COPY_TEXT_LENGTH})`);
    }
    if ("url" in button) {
      if (!/^(https?|tg):\/\//.test(button.url)) problems.push(`button "${button.text}" opens ${button.url.slice(0, 40)}: URL buttons take only http(s):// and tg:// links`);
      if (button.url.length > MAX_BUTTON_URL_LENGTH) problems.push(`button "${button.text}" has a ${button.url.length}-character link (max ${MAX_BUTTON_URL_LENGTH})`);
    }
  }
  return problems;
}

/** Every way through the questions, "prefer not to say" included, each partial state too. */
export function* everyAnswerCombination(): Generator<Answers> {
  function* walk(answers: Answers): Generator<Answers> {
    yield answers;
    const next = nextQuestion(answers);
    if (next === undefined) return;
    for (const a of [...next.answers, PREFER_NOT_TO_SAY]) yield* walk({ ...answers, [next.id]: a });
  }
  yield* walk({});
}

