import type { Lang, Translate } from "../i18n.js";
import type { Content } from "./content.js";
import type { Topic, UpdateItem } from "./schema.js";

/**
 * Turns content into Telegram HTML. Every screen that shows legal content carries its
 * source, the recording date and the disclaimer, so it still makes sense when forwarded.
 */

export interface RenderContext {
  content: Content;
  t: Translate;
  lang: Lang;
  /** The bot's @username, printed so a forwarded message says where it came from. */
  username: string;
}

const dateCache = new Map<string, string>();

/** Dates are few and fixed (recording, list, items), so each is formatted once per language and style. */
export function formatDate(r: Pick<RenderContext, "t">, iso: string, style: "long" | "short" = "long"): string {
  const locale = r.t("meta.dateLocale");
  const key = `${locale}|${style}|${iso}`;
  let text = dateCache.get(key);
  if (text === undefined) {
    const options: Intl.DateTimeFormatOptions =
      style === "long" ? { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" } : { day: "2-digit", month: "2-digit", year: "numeric", timeZone: "UTC" };
    // Russian long dates end in "г."; the texts put their own punctuation after a date.
    text = new Intl.DateTimeFormat(locale, options).format(new Date(`${iso}T00:00:00Z`)).replace(/\s*г\.$/, "");
    dateCache.set(key, text);
  }
  return text;
}

function updateDate(r: RenderContext, item: UpdateItem): string {
  return item.date === null ? r.t("common.lawInForce") : formatDate(r, item.date, "short");
}

/** The dated "reported since 2022" lines for some updates, under a header; empty when there are none. */
export function updateNotes(r: RenderContext, items: readonly UpdateItem[], header = "common.sinceHeader"): string {
  if (items.length === 0) return "";
  const lines = items.map((item) => `• ${updateDate(r, item)}: ${r.t(`updates.items.${item.id}.short`)}`);
  return `${r.t(header, { date: formatDate(r, r.content.updates.listDate, "short") })}\n${lines.join("\n")}`;
}

function sourceLine(r: RenderContext, topic: Topic): string {
  switch (topic.kind) {
    case "transcript":
      return r.t("common.source", { date: formatDate(r, r.content.recordedOn), times: topic.cites.join(", ") });
    case "updates":
      return [
        r.t("common.sourceUpdates", { date: formatDate(r, r.content.updates.listDate, "short") }),
        r.t("common.source", { date: formatDate(r, r.content.recordedOn), times: topic.cites.join(", ") }),
      ].join("\n");
    case "safety":
      return r.t("common.sourceSafety");
  }
}

function updatesList(r: RenderContext): string {
  return r.content.updates.items
    .map((item) => `<b>${updateDate(r, item)}</b> · ${r.t(`updates.items.${item.id}.text`)}\n<i>${r.t(`updates.items.${item.id}.source`)}</i>`)
    .join("\n\n");
}

export function footer(r: RenderContext): string {
  return `${r.t("common.disclaimer")}\n<i>${r.t("common.signature", { username: r.username })}</i>`;
}

/** A topic as one self-contained message. */
export function renderTopic(r: RenderContext, topic: Topic): string {
  const parts = [
    `<b>${r.t(`topics.${topic.id}.title`)}</b>`,
    r.t(`topics.${topic.id}.body`, { recorded: formatDate(r, r.content.recordedOn) }),
  ];
  if (topic.kind === "updates") parts.push(updatesList(r));
  const notes = topic.kind === "updates" ? "" : updateNotes(r, r.content.updatesFor(topic.id));
  if (notes !== "") parts.push(notes);
  parts.push(`${sourceLine(r, topic)}\n${footer(r)}`);
  return parts.join("\n\n");
}

/** The short, self-contained answer posted into another chat by inline mode. */
export function renderTopicCard(r: RenderContext, topic: Topic): string {
  return [
    `<b>${r.t(`topics.${topic.id}.title`)}</b>`,
    r.t(`topics.${topic.id}.description`),
    sourceLine(r, topic),
    footer(r),
  ].join("\n\n");
}
