import type { Lang, Translate } from "../i18n.js";
import { escapeHtml } from "../telegram/html.js";
import { type Content, coveredUpTo, newestSource } from "./content.js";
import { formatDate } from "./dates.js";
import type { FirmFile, OfficialPage, Source, Topic, UpdateItem } from "./schema.js";

/**
 * Turns content into Telegram HTML. Every screen that shows legal content carries its source,
 * its dates and the disclaimer, so it still makes sense when forwarded.
 */

/** What a reader on a phone can take in on one screen; longer content is split into pages. */
export const SCREEN_CHAR_BUDGET = 1500;

/** What a page of a longer list aims at (step details, what changed): as short as a topic card, so a page is read at once. */
export const PAGE_CHAR_AIM = 1200;

export interface RenderContext {
  content: Content;
  t: Translate;
  lang: Lang;
  /** The bot's @username, printed so a forwarded message says where it came from. */
  username: string;
  /** Set when the update list was last checked more than CONTENT_STALE_DAYS ago: its screens say so. */
  staleAfterDays: number | undefined;
}

export function date(r: RenderContext, iso: string, style: "long" | "short" = "short"): string {
  return formatDate(r.t, iso, style);
}

/** An item's date, or the label for long-standing law, which is not a change. */
function itemDate(r: RenderContext, item: UpdateItem): string {
  if (item.date === null) return r.t("common.law");
  // A month alone starts with a small letter in Russian ("ноябрь 2025 г."); at the start of a line it takes a capital.
  const text = date(r, item.date);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * What a reader is told about how sure an item is, from its grade and its last check: one label per
 * grade (common.grades), everywhere the item is shown. Notes name only what needs care ("reported",
 * and anything not re-checked); the update pages name every grade. An item the last check did not
 * verify again gets one label that says both, so "confirmed" and "not re-checked" never read as a
 * contradiction: confirmed as of the month of its newest source, not re-checked since; and
 * long-standing law, unchanged in the sources, which is a statement about the check, not the law.
 */
export function itemLabels(r: RenderContext, item: UpdateItem, every = false): string[] {
  if (item.rechecked === false) {
    const newest = newestSource(item);
    if (item.kind === "law" || newest === undefined) return [r.t("common.lawNotRechecked")];
    return [r.t("common.notRechecked", { grade: r.t(`common.grades.${item.grade}`), month: date(r, newest.slice(0, 7)) })];
  }
  return every || item.grade !== "confirmed" ? [r.t(`common.grades.${item.grade}`)] : [];
}

function labelled(r: RenderContext, item: UpdateItem): string {
  const labels = itemLabels(r, item);
  return labels.length === 0 ? "" : ` (${labels.join(", ")})`;
}

/**
 * "Jun 2026" / "июнь 2026 г.": how far these items run, or undefined when none is dated: the newest
 * of their sources, or of their own dates when one is later (a rule announced in April that took
 * effect in May), so a screen never says its sources end before an item it shows.
 */
export function sourcesMonth(r: RenderContext, items: readonly UpdateItem[]): string | undefined {
  const newest = items.flatMap((i) => coveredUpTo(i) ?? []).sort().at(-1);
  return newest === undefined ? undefined : date(r, newest.slice(0, 7));
}

function upTo(r: RenderContext, items: readonly UpdateItem[]): string {
  return sourcesMonth(r, items) ?? r.t("common.undated");
}

/** The stale-list warning, once the list's newest check is older than CONTENT_STALE_DAYS; empty before. */
function staleLine(r: RenderContext): string {
  return r.staleAfterDays === undefined ? "" : `\n${r.t("common.stale", { date: date(r, r.content.updates.newestCheck), days: r.staleAfterDays })}`;
}

/**
 * When the list was compiled, that its sources mostly end well before, and how far these items run
 * (a whole subject's items, on every page of it alike); a warning once the list has grown old: the
 * update screens' dating line.
 */
export function listDates(r: RenderContext, items: readonly UpdateItem[] = r.content.updates.items): string {
  return `${r.t("common.listDates", { month: upTo(r, items), date: date(r, r.content.updates.newestCheck) })}${staleLine(r)}`;
}

/**
 * A text that leaves the bot (a card forwarded to someone) may be read long after: how far the
 * sources of what it says run, the day it was made, and the stale-list warning when due.
 */
export function madeOn(r: RenderContext, key: string, items: readonly UpdateItem[], today: string): string {
  return `${r.t(key, { month: sourcesMonth(r, items) ?? upTo(r, r.content.updates.items), date: date(r, today, "long") })}${staleLine(r)}`;
}

/** One dated note: "• 25 Jun 2026 (reported): …", in its short form or in full. */
export function noteLine(r: RenderContext, item: UpdateItem, form: "short" | "text" = "short"): string {
  return `• ${itemDate(r, item)}${labelled(r, item)}: ${r.t(`updates.items.${item.id}.${form}`)}`;
}

/** The header of a block of notes: since when they changed, how far their sources run, and when the list was compiled. */
export function notesHeader(r: RenderContext, items: readonly UpdateItem[], header = "common.notesHeader"): string {
  return r.t(header, { month: upTo(r, items), date: date(r, r.content.updates.newestCheck) });
}

/**
 * Dated notes under a header that says how far their sources run; empty when there are none. A
 * block that is one page of several says how far the notes of all the pages run (`over`), so the
 * pages of one list never give different dates.
 */
export function notesBlock(r: RenderContext, items: readonly UpdateItem[], header = "common.notesHeader", over: readonly UpdateItem[] = items): string {
  if (items.length === 0) return "";
  return `${notesHeader(r, over, header)}\n${noteLines(r, items).join("\n")}${staleLine(r)}`;
}

/** Note lines; notes next to each other with the same date and the same labels share one line ("• 20 Jan 2025: A. B"). */
export function noteLines(r: RenderContext, items: readonly UpdateItem[]): string[] {
  const lines: { head: string; texts: string[] }[] = [];
  for (const item of items) {
    const head = `• ${itemDate(r, item)}${labelled(r, item)}`;
    const last = lines.at(-1);
    if (last !== undefined && last.head === head) last.texts.push(r.t(`updates.items.${item.id}.short`));
    else lines.push({ head, texts: [r.t(`updates.items.${item.id}.short`)] });
  }
  return lines.map((line) => `${line.head}: ${line.texts.join(". ")}`);
}

/** The cited minutes; links to that minute of the video once the operator has set its address. */
function times(r: RenderContext, topic: Topic): string {
  const video = r.content.videoUrl;
  if (video === undefined) return topic.cites.join(", ");
  return topic.cites.map((ts) => `<a href="${escapeHtml(videoAt(video, ts))}">${ts}</a>`).join(", ");
}

export function videoAt(videoUrl: string, timestamp: string): string {
  const [m, s] = timestamp.split(":").map(Number) as [number, number];
  const seconds = String(m * 60 + s);
  return videoUrl.includes("{seconds}") ? videoUrl.replace("{seconds}", seconds) : `${videoUrl}#t=${seconds}`;
}

/** The official pages a set of sourced texts cites, in order of first citation (content/sourced.json). */
export function citedPages(r: RenderContext, keys: readonly string[]): OfficialPage[] {
  const ids = keys.flatMap((key) => (r.content.sourced[key] ?? []).flat()).filter((ref) => ref.startsWith("page:")).map((ref) => ref.slice(5));
  return [...new Set(ids)].map((id) => r.content.page(id)!).filter((page) => page !== undefined);
}

/** "ICE, Online Detainee Locator System (checked 30 Nov 2026)", linked to its address: how the content names an official page. */
export function pageCitation(r: RenderContext, page: OfficialPage): string {
  const text = r.t("common.pageCitation", { publisher: page.publisher[r.lang], title: page.title[r.lang], date: date(r, page.checked) });
  return `<a href="${escapeHtml(page.url)}">${text}</a>`;
}

/** The visible address of a page, without the scheme: what a reader can type into a browser elsewhere. */
export function pageAddress(page: OfficialPage): string {
  return page.url.replace(/^https:\/\/(?:www\.)?/, "").replace(/\/$/, "");
}

export function sourceLine(r: RenderContext, topic: Topic): string {
  // Its sentences name their sources in sourced.json; the pages among them are listed with their addresses and check dates.
  if (topic.kind === "safety") {
    const pages = citedPages(r, [`topics.${topic.id}.body`]).map((p) => pageCitation(r, p)).join("; ");
    return r.t("common.source.safety", { pages, interpolation: { escapeValue: false } });
  }
  // The minutes may be links built here (escaped already), so this interpolation is not escaped again.
  return r.t(`common.source.${topic.speaker ?? "attorney"}`, { date: date(r, r.content.recordedOn, "long"), times: times(r, topic), interpolation: { escapeValue: false } });
}

export function footer(r: RenderContext): string {
  return `${r.t("common.disclaimer")}\n<i>${r.t("common.signature", { username: r.username })}</i>`;
}

/** A topic as one self-contained message: body, dated notes, source, disclaimer. */
export function renderTopic(r: RenderContext, topic: Topic): string {
  const parts = [`<b>${r.t(`topics.${topic.id}.title`)}</b>`, r.t(`topics.${topic.id}.body`, { recorded: date(r, r.content.recordedOn, "long") })];
  if (topic.kind === "updates") parts.push(listDates(r));
  const notes = notesBlock(r, r.content.notesFor(topic.id));
  if (notes !== "") parts.push(notes);
  parts.push(`${sourceLine(r, topic)}\n${footer(r)}`);
  return parts.join("\n\n");
}

/**
 * The short, self-contained answer posted into another chat (inline mode, forwarding). It carries
 * every dated note of the topic, as the topic itself does: each changes what its reader must do
 * (bond refused at the border, and to those who entered without inspection), and the person it is
 * sent to has no other screen to find the rest on. A card about 2022 advice never reads as an invitation.
 * The list of changes is too long for a message: its card carries those that change what a reader
 * must do, says how many the bot holds, and cites no minute of the interview, which they postdate.
 */
export function renderTopicCard(r: RenderContext, topic: Topic): string {
  const changes = topic.kind === "updates";
  const notes = changes ? r.content.updates.mustKnow : r.content.notesFor(topic.id);
  return [
    `<b>${r.t(`topics.${topic.id}.title`)}</b>`,
    r.t(`topics.${topic.id}.description`),
    ...(notes.length === 0 ? [] : [notesBlock(r, notes)]),
    changes ? r.t("updates.cardMore", { count: r.content.updates.items.length }) : sourceLine(r, topic),
    footer(r),
  ].join("\n\n");
}

function publisher(r: RenderContext, source: Source): string {
  return typeof source.publisher === "string" ? source.publisher : source.publisher[r.lang];
}

/** "SCOTUSblog, 25 Jun 2026; The Hill, 25 Jun 2026" (the links go in the offline guide). */
export function sourcesText(r: RenderContext, item: UpdateItem): string {
  return item.sources.map((s) => escapeHtml(publisher(r, s)) + (s.date === undefined ? "" : `, ${date(r, s.date)}`)).join("; ");
}

/** Whom an item concerns, each group a phrase of its own ("those in the US; those detained in the US; relatives"). */
export function situationsText(r: RenderContext, item: UpdateItem): string {
  return item.situations.map((s) => r.t(`updates.situations.${s}`)).join("; ");
}

/** One line of an update page: its number, date, grade and short text; the sources are one tap away. */
export function updateLine(r: RenderContext, item: UpdateItem, n: number): string {
  return `${n}. <b>${itemDate(r, item)}</b> · <i>${itemLabels(r, item, true).join(", ")}</i>: ${r.t(`updates.items.${item.id}.short`)}`;
}

/** Whom an item concerns and what it rests on, numbered as on its page; how far its sources run when their own dates do not say. */
export function updateSources(r: RenderContext, item: UpdateItem, n: number): string {
  const newest = newestSource(item);
  const dated = item.sources.flatMap((s) => s.date ?? []).sort().at(-1);
  const upTo = newest === undefined || newest === dated ? "" : ` (${r.t("common.sourcesUpTo", { month: date(r, newest.slice(0, 7)) })})`;
  return `${n}. ${r.t("common.for")}: ${situationsText(r, item)}. ${r.t("common.sources")}: ${sourcesText(r, item)}${upTo}`;
}

/**
 * Entries split into pages that each fit the screen budget with the page's own header and footer
 * (whose length `frame` gives for a page of `total`). `size` is what an entry takes on the page,
 * or on the widest screen that shows it. An entry longer than a page on its own still gets a page.
 */
export function paginate<T>(entries: readonly T[], size: (entry: T) => number, frame: (page: number, total: number) => number, budget = PAGE_CHAR_AIM): T[][] {
  // The frame's length barely depends on the page numbers; measure it once with a generous total.
  const room = budget - frame(9, 9);
  const pages: T[][] = [];
  let page: T[] = [];
  let used = 0;
  for (const entry of entries) {
    const taken = size(entry) + 2;
    if (page.length > 0 && used + taken > room) {
      pages.push(page);
      page = [];
      used = 0;
    }
    page.push(entry);
    used += taken;
  }
  if (page.length > 0) pages.push(page);
  return pages;
}

/** Who the firm is and how a consultation goes, one line per detail that is set: the lawyer screen and the offline guide. */
export function firmAbout(t: Translate, lang: Lang, firm: FirmFile): string[] {
  const text = (field: { en: string; ru: string }) => field[lang];
  return [
    ...(text(firm.name) === "" ? [] : [t("handoff.firm", { name: text(firm.name) })]),
    ...(text(firm.format) === "" ? [] : [escapeHtml(text(firm.format))]),
    ...(text(firm.languages) === "" ? [] : [t("handoff.languages", { languages: text(firm.languages) })]),
    text(firm.cost) === "" ? t("handoff.costUnknown") : t("handoff.cost", { cost: text(firm.cost) }),
    ...(text(firm.hours) === "" ? [] : [t("handoff.hours", { hours: text(firm.hours) })]),
  ];
}
