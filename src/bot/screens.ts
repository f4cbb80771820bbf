import { daysSince } from "../content/dates.js";
import { date, footer, listDates, paginate, type RenderContext, renderTopic, renderTopicCard, updateLine, updateSources } from "../content/render.js";
import type { Topic, UpdateItem } from "../content/schema.js";
import { LANGUAGES, type Lang, type Translate } from "../i18n.js";
import { htmlToText } from "../telegram/html.js";
import { type Back, cb } from "./callback-data.js";
import type { BotContext } from "./context.js";
import type { ContentDeps } from "./deps.js";
import { button, rows, type Screen, show } from "./screen.js";

/** What a screen needs to know about its reader; a conversation builds one without the outer context. */
export interface View {
  t: Translate;
  lang: Lang;
  me: { username: string };
}

export function renderContext(view: View, deps: ContentDeps): RenderContext {
  const limit = deps.settings.contentStaleDays;
  const stale = daysSince(deps.content.updates.newestCheck, deps.now()) > limit;
  return { content: deps.content, t: view.t, lang: view.lang, username: view.me.username, staleAfterDays: stale ? limit : undefined };
}

export function menuKeyboard(view: View) {
  const t = view.t;
  return [
    [button.cb(t("buttons.guided"), cb.guidedStart())],
    [button.cb(t("buttons.relative"), cb.guidedStart(true))],
    [button.cb(t("buttons.topics"), cb.sections)],
    [button.cb(t("buttons.updates"), cb.updates())],
    [button.cb(t("buttons.lawyer"), cb.handoff())],
    [button.cb(t("buttons.share"), cb.share)],
    [button.cb(t("buttons.privacy"), cb.privacy), button.cb(t("buttons.language"), cb.languagePicker)],
  ];
}

export function menuScreen(view: View, lead?: string): Screen {
  const body = view.t("start.menu", { disclaimer: view.t("common.disclaimer") });
  return { html: lead === undefined ? body : `${lead}\n\n${body}`, keyboard: menuKeyboard(view) };
}

export function navRow(view: View, back: string) {
  return [button.cb(view.t("buttons.back"), back), button.cb(view.t("buttons.home"), cb.menu)];
}

export function sectionsScreen(view: View, deps: ContentDeps): Screen {
  const sections = deps.content.sections.map((s) => [button.cb(view.t(`sections.${s.id}`), cb.section(s.id))]);
  return {
    html: view.t("topicList.title", { date: date(renderContext(view, deps), deps.content.recordedOn, "long") }),
    keyboard: [...sections, [button.cb(view.t("buttons.home"), cb.menu)]],
  };
}

export function sectionScreen(view: View, deps: ContentDeps, sectionId: string): Screen | undefined {
  const section = deps.content.sections.find((s) => s.id === sectionId);
  if (section === undefined) return undefined;
  const here: Back = { to: "section", id: section.id };
  const topics = section.topics.map((id) => button.cb(view.t(`topics.${id}.button`), cb.topic(id, here)));
  return { html: view.t("topicList.section", { title: view.t(`sections.${section.id}`) }), keyboard: [...rows(topics), navRow(view, cb.sections)] };
}

/** Where Back leads; a topic reached from another one leads back to it, and from there to its section. */
export function backTarget(back: Back, deps?: ContentDeps): string {
  switch (back.to) {
    case "menu":
      return cb.menu;
    case "sections":
      return cb.sections;
    case "section":
      return cb.section(back.id);
    case "topic":
      return deps === undefined ? cb.topic(back.id) : cb.topic(back.id, sectionOf(deps, back.id));
    case "route":
      return cb.route(back.answers);
    case "details":
      return cb.routeDetails(back.answers, back.page);
    case "updates":
      return cb.updates();
    case "urgent":
      return cb.urgent();
    case "lawyer":
      return cb.handoff();
  }
}

/** The section a topic belongs to: where Back leads from a topic opened by a link. */
export function sectionOf(deps: ContentDeps, topicId: string): Back {
  const section = deps.content.sections.find((s) => s.topics.includes(topicId));
  return section === undefined ? { to: "sections" } : { to: "section", id: section.id };
}

const URGENT_TOPICS = new Set(["detention", "bond", "denied"]);

/**
 * A topic's text, and its card for other chats, depend only on the content, the language, the
 * bot's name and whether the update list is out of date, none of which changes between updates:
 * each is rendered once (a topic is the screen opened most, and an inline answer carries several
 * cards; rendering them was measurable work per update).
 */
const renderedTopics = new WeakMap<RenderContext["content"], Map<string, string>>();

export function renderedOnce(r: RenderContext, topic: Topic, form: "topic" | "card"): string {
  let cache = renderedTopics.get(r.content);
  if (cache === undefined) renderedTopics.set(r.content, (cache = new Map()));
  const key = `${form}\u0000${r.lang}\u0000${r.username}\u0000${r.staleAfterDays ?? ""}\u0000${topic.id}`;
  let html = cache.get(key);
  if (html === undefined) {
    html = form === "topic" ? renderTopic(r, topic) : renderTopicCard(r, topic);
    cache.set(key, html);
  }
  return html;
}

export function topicScreen(view: View, deps: ContentDeps, topic: Topic, back: Back): Screen {
  if (topic.kind === "updates") return updatesScreen(view, deps, back);
  const t = view.t;
  const here: Back = { to: "topic", id: topic.id };
  const related = topic.related.map((id) => button.cb(t("buttons.related", { title: t(`topics.${id}.button`) }), cb.topic(id, here)));
  // Helping someone close: the ways to do it are on the screen that explains it.
  const helping =
    topic.id === "relatives"
      ? [[button.cb(t("buttons.relative"), cb.guidedStart(true))], [button.cb(t("buttons.shareLink"), cb.share)], [button.cb(t("buttons.guideRu"), cb.guide("ru", true))]]
      : [];
  // Detention and what follows: someone held now needs the urgent lane, not only the 2022 account.
  const urgent = URGENT_TOPICS.has(topic.id) ? [[button.cb(t("buttons.urgent"), cb.urgent(here))]] : [];
  return {
    html: renderedOnce(renderContext(view, deps), topic, "topic"),
    keyboard: [...rows(related), ...helping, ...urgent, [button.cb(t("buttons.lawyer"), cb.handoff(here))], navRow(view, backTarget(back, deps))],
  };
}

/** What changed since 2022: the subjects, each with how many dated entries it has. */
export function updatesScreen(view: View, deps: ContentDeps, back: Back): Screen {
  const r = renderContext(view, deps);
  const updates = deps.content.updates;
  const groups = updates.groups
    .filter((g) => updates.inGroup(g).length > 0)
    .map((g) => [button.cb(`${view.t(`updates.groups.${g}`)} (${updates.inGroup(g).length})`, cb.updatesPage(g, 1, back))]);
  const html = [
    `<b>${view.t("topics.updates.title")}</b>`,
    view.t("topics.updates.body", { recorded: date(r, deps.content.recordedOn, "long") }),
    listDates(r),
    `${view.t("common.disclaimer")}\n${view.t("updates.index")}`,
  ].join("\n\n");
  return { html, keyboard: [...groups, navRow(view, backTarget(back, deps))] };
}

/**
 * A subject's items split into pages: one short line each on the page, their sources on the page's
 * sources screen. A page holds as many as fit both screens, so the two always match.
 */
function updatePages(r: RenderContext, view: View, group: string, items: readonly UpdateItem[]): UpdateItem[][] {
  const head = updatesHead(view, group);
  const tail = updatesTail(r, items);
  // Numbered across pages (a subject's twelfth item is 12 on its page too): sized for two digits.
  const widest = (item: UpdateItem) => Math.max(htmlToText(updateLine(r, item, 99)).length, htmlToText(updateSources(r, item, 99)).length);
  return paginate(items, widest, (n, total) => htmlToText(`${head(n, total)}\n\n\n\n${tail}`).length);
}

function updatesHead(view: View, group: string) {
  const title = view.t(`updates.groups.${group}`);
  return (n: number, total: number) => `<b>${title}</b>${total > 1 ? ` · ${view.t("updates.page", { n, total })}` : ""}`;
}

function updatesTail(r: RenderContext, items: readonly UpdateItem[]): string {
  return `${listDates(r, items)}\n\n${footer(r)}`;
}

/** One page of a subject's items, newest first: a short line each with its date and grade; the sources one tap away. Every page of a subject gives the same dates: those of all its items. */
export function updatesPageScreen(view: View, deps: ContentDeps, group: string, page: number, back: Back): Screen | undefined {
  const items = deps.content.updates.inGroup(group);
  if (items.length === 0) return undefined;
  const r = renderContext(view, deps);
  const pages = updatePages(r, view, group, items);
  const shown = pages[page - 1];
  if (shown === undefined) return undefined;
  const before = pages.slice(0, page - 1).flat().length;
  const turn = [
    ...(page > 1 ? [button.cb(view.t("buttons.previousPage"), cb.updatesPage(group, page - 1, back))] : []),
    ...(page < pages.length ? [button.cb(view.t("buttons.nextPage"), cb.updatesPage(group, page + 1, back))] : []),
  ];
  return {
    html: [updatesHead(view, group)(page, pages.length), shown.map((item, i) => updateLine(r, item, before + i + 1)).join("\n"), updatesTail(r, items)].join("\n\n"),
    keyboard: [[button.cb(view.t("buttons.sources"), cb.updatesSources(group, page, back))], ...(turn.length > 0 ? [turn] : []), navRow(view, cb.updates(back))],
  };
}

/** The sources of one page's items, numbered as on the page (across the subject's pages), and whom each concerns. */
export function updatesSourcesScreen(view: View, deps: ContentDeps, group: string, page: number, back: Back): Screen | undefined {
  const items = deps.content.updates.inGroup(group);
  if (items.length === 0) return undefined;
  const r = renderContext(view, deps);
  const pages = updatePages(r, view, group, items);
  const shown = pages[page - 1];
  if (shown === undefined) return undefined;
  const before = pages.slice(0, page - 1).flat().length;
  const head = `<b>${view.t("updates.sourcesTitle", { title: view.t(`updates.groups.${group}`) })}</b>`;
  return {
    html: [head, shown.map((item, i) => updateSources(r, item, before + i + 1)).join("\n"), updatesTail(r, items)].join("\n\n"),
    keyboard: [navRow(view, cb.updatesPage(group, page, back))],
  };
}

export function languageScreen(view: View, deps: ContentDeps): Screen {
  const choices = LANGUAGES.map((lang) => button.cb(deps.i18n.t(lang)("meta.name"), cb.language(lang)));
  return { html: view.t("language.prompt"), keyboard: [choices, [button.cb(view.t("buttons.home"), cb.menu)]] };
}

/** A button the bot no longer understands (old, forged, or from before a content change). */
export async function showOutdated(ctx: BotContext): Promise<void> {
  if (ctx.callbackQuery?.message === undefined) {
    await ctx.answerCallbackQuery({ text: ctx.t("unknown.outdatedShort") });
    return;
  }
  await ctx.answerCallbackQuery({ text: ctx.t("unknown.outdated") });
  await show(ctx, menuScreen(ctx));
}
