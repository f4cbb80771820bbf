import type { UserFromGetMe } from "grammy/types";
import { CALLBACK_DATA_MAX_BYTES } from "../bot/callback-data.js";
import type { ContentDeps } from "../bot/deps.js";
import { questionScreen } from "../bot/features/guided/conversation.js";
import { type Answers, askedQuestions, PREFER_NOT_TO_SAY, QUESTIONS } from "../bot/features/guided/questions.js";
import { buildRoute, routeScreen } from "../bot/features/guided/route.js";
import type { Screen } from "../bot/screen.js";
import { renderContext, topicScreen, type View } from "../bot/screens.js";
import { renderTopicCard } from "../content/render.js";
import { LANGUAGES, type Lang } from "../i18n.js";
import { MAX_MESSAGE_LENGTH, parseTelegramHtml } from "../telegram/html.js";

/** The length the guide asks topics to stay under; longer is reported, not refused. */
export const AIM_LENGTH = 1200;

/** A bot username of Telegram's maximum length, so every check holds for any deployment. */
const LONGEST_ME = { username: "x".repeat(32), id: 1, is_bot: true, first_name: "x" } as UserFromGetMe;

export interface TopicRow {
  id: string;
  kind: string;
  cites: string[];
  /** Characters the reader sees on the topic screen, per language. */
  length: Record<Lang, number>;
  problems: string[];
  notes: string[];
}

export interface AuditReport {
  topics: TopicRow[];
  routes: number;
  longestRoute: Record<Lang, number>;
  problems: string[];
}

/** Checks every screen built from content against Telegram's limits, in both languages. */
export function auditContent(deps: ContentDeps): AuditReport {
  const problems: string[] = [];
  const view = (lang: Lang): View => ({ t: deps.i18n.t(lang), lang, me: LONGEST_ME });
  const topics = deps.content.topics.map((topic): TopicRow => {
    const row: TopicRow = { id: topic.id, kind: topic.kind, cites: topic.cites, length: { ru: 0, en: 0 }, problems: [], notes: [] };
    for (const lang of LANGUAGES) {
      const backs = [{ to: "list" as const }, { to: "menu" as const }, { to: "topic" as const, id: "political-case" }, { to: "route" as const, route: "LVBDPNRGQWCFA" }];
      for (const back of backs) {
        const screen = topicScreen(view(lang), deps, topic, back);
        for (const p of checkScreen(screen)) row.problems.push(`${lang}: ${p}`);
        const parsed = parseTelegramHtml(screen.html);
        if (parsed.ok) row.length[lang] = Math.max(row.length[lang], parsed.text.length);
      }
      const card = renderTopicCard(renderContext(view(lang), deps), topic);
      for (const p of checkText(card)) row.problems.push(`${lang} inline card: ${p}`);
      const body = parseTelegramHtml(deps.i18n.t(lang)(`topics.${topic.id}.body`, { recorded: "" }));
      if (body.ok && body.text.length > AIM_LENGTH) row.notes.push(`${lang} body is ${body.text.length} characters (aim: ${AIM_LENGTH})`);
      if (topic.kind !== "safety" && !(parsed(card) ?? "").includes(topic.cites[0] ?? "—")) row.problems.push(`${lang}: the inline card does not show the cited timestamps`);
    }
    problems.push(...row.problems.map((p) => `topic "${topic.id}": ${p}`));
    return row;
  });

  const routes = new Set<string>();
  for (const answers of everyAnswerCombination()) routes.add(buildRoute(answers));
  const longestRoute = { ru: 0, en: 0 };
  for (const route of routes) {
    for (const lang of LANGUAGES) {
      const screen = routeScreen(view(lang), deps, route);
      for (const p of checkScreen(screen)) problems.push(`route ${route} (${lang}): ${p}`);
      const text = parseTelegramHtml(screen.html);
      if (text.ok) longestRoute[lang] = Math.max(longestRoute[lang], text.text.length);
    }
  }
  for (const lang of LANGUAGES) {
    QUESTIONS.forEach((question, index) => {
      for (const p of checkScreen(questionScreen(view(lang), question, index, QUESTIONS.length))) problems.push(`question ${question.id} (${lang}): ${p}`);
    });
  }
  return { topics, routes: routes.size, longestRoute, problems };
}

function parsed(html: string): string | undefined {
  const p = parseTelegramHtml(html);
  return p.ok ? p.text : undefined;
}

export function checkText(html: string): string[] {
  const p = parseTelegramHtml(html);
  if (!p.ok) return [`invalid Telegram HTML: ${p.error}`];
  if (p.text.trim().length > MAX_MESSAGE_LENGTH) return [`${p.text.trim().length} characters, over Telegram's ${MAX_MESSAGE_LENGTH}`];
  return [];
}

export function checkScreen(screen: Screen): string[] {
  const problems = checkText(screen.html);
  for (const button of screen.keyboard.flat()) {
    if ("callback_data" in button && button.callback_data !== undefined) {
      const bytes = Buffer.byteLength(button.callback_data);
      if (bytes > CALLBACK_DATA_MAX_BYTES) problems.push(`button "${button.text}" has ${bytes} bytes of callback data (max ${CALLBACK_DATA_MAX_BYTES})`);
    }
  }
  return problems;
}

/** Every way through the questions, "prefer not to say" included. */
export function* everyAnswerCombination(): Generator<Answers> {
  function* walk(answers: Answers): Generator<Answers> {
    const next = askedQuestions(answers).find((q) => answers[q.id] === undefined);
    if (next === undefined) {
      yield answers;
      return;
    }
    for (const a of [...next.answers, PREFER_NOT_TO_SAY]) yield* walk({ ...answers, [next.id]: a });
  }
  yield* walk({});
}

