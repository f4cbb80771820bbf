import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { z } from "zod";
import { type I18n, LANGUAGES, type Lang } from "../i18n.js";
import { parseTelegramHtml } from "../telegram/html.js";
import { ContentError } from "./content-error.js";
import { readTranscriptTimestamps } from "./transcript.js";
import {
  firmFileSchema,
  pagesFileSchema,
  sourcedFileSchema,
  type OfficialPage,
  routesFileSchema,
  topicsFileSchema,
  updatesFileSchema,
  type FirmFile,
  type Section,
  type Topic,
  type UpdateItem,
} from "./schema.js";

export interface RouteStep {
  key: string;
  /** Where the step's details are. */
  topic: string;
  /** The dated reasons for the step, most important first. */
  notes: readonly UpdateItem[];
  /** Those that change what the reader must do: shown wherever the step is, never cut for space. */
  keep: readonly UpdateItem[];
}

export interface Content {
  /** ISO date of the interview. */
  recordedOn: string;
  /** The published video, when the operator has set it. */
  videoUrl: string | undefined;
  topics: readonly Topic[];
  topic(id: string): Topic | undefined;
  sections: readonly Section[];
  updates: {
    groups: readonly string[];
    /** What readers may see: confirmed and likely items, newest first within each group. */
    items: readonly UpdateItem[];
    inGroup(group: string): readonly UpdateItem[];
    /** The most recent date any shown item was checked: the list's age. */
    newestCheck: string;
    /** Every item, unverified ones included: for the content check, never for readers. */
    all: readonly UpdateItem[];
    /** The changes that alter what a reader must do: every route step's kept notes, with what qualifies them, in the list's order. */
    mustKnow: readonly UpdateItem[];
  };
  /** A topic's dated notes, most important first. */
  notesFor(topicId: string): readonly UpdateItem[];
  /** The items that qualify this one, and those that qualify them (updates.json, shownWith): wherever it is shown, they are too. */
  qualifiers(item: UpdateItem): readonly UpdateItem[];
  step(key: string): RouteStep | undefined;
  firm: FirmFile;
  /** Official pages the content names, with their addresses and check dates (content/pages.json). */
  pages: readonly OfficialPage[];
  page(id: string): OfficialPage | undefined;
  /** Locale keys whose every sentence names its source, one list of references per sentence (content/sourced.json). */
  sourced: Readonly<Record<string, readonly (readonly string[])[]>>;
  /** Every timestamp that opens a speaker turn in the transcript. */
  timestamps: ReadonlySet<string>;
}

export { ContentError } from "./content-error.js";

export function readJson<T>(path: string, schema: z.ZodType<T>, label: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new ContentError([`${label}: cannot read ${path}: ${(e as Error).message}`]);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new ContentError(parsed.error.issues.map((i) => `${label}: ${describePath(raw, i.path)} ${i.message}`));
  }
  return parsed.data;
}

/** Names the topic (by id) rather than an array index, so an editor knows where to look. */
function describePath(raw: unknown, path: PropertyKey[]): string {
  let node: unknown = raw;
  const parts: string[] = [];
  for (const key of path) {
    node = (node as Record<PropertyKey, unknown> | undefined)?.[key as string];
    const id = (node as { id?: unknown } | undefined)?.id;
    parts.push(typeof key === "number" && typeof id === "string" ? `"${id}"` : String(key));
  }
  return parts.join(".");
}

/** Readers see confirmed items, and likely ones marked "reported"; never unverified ones. */
export function isShown(item: UpdateItem): boolean {
  return item.grade !== "unverified";
}

/**
 * The date of an item's newest source (YYYY-MM-DD or YYYY-MM): what its "sources up to" says.
 * Undefined only for an item no dated source backs, which must then say it was not re-checked.
 */
export function newestSource(item: UpdateItem): string | undefined {
  const dates = [...item.sources.flatMap((s) => (s.date === undefined ? [] : [s.date])), ...(item.sourcesUpTo === undefined ? [] : [item.sourcesUpTo])];
  return dates.sort().at(-1);
}

/** How far an item runs: its newest source, or its own date when that is later (an effective date a source announced before it). */
export function coveredUpTo(item: UpdateItem): string | undefined {
  return [newestSource(item), item.date ?? undefined].filter((d): d is string => d !== undefined).sort().at(-1);
}

/** Newest first; an undated item (law in force) last; month-only dates sort as the month's start. */
function newestFirst(a: UpdateItem, b: UpdateItem): number {
  return (b.date ?? "").localeCompare(a.date ?? "");
}

/**
 * Loads the topic structure, the updates, the route steps and the firm, and cross-checks them
 * against the transcript and both locales. Any problem stops start-up: a half-working
 * legal-information bot is worse than none.
 */
export function loadContent(contentDir: string, i18n: I18n): Content {
  const topicsFile = readJson(join(contentDir, "topics.json"), topicsFileSchema, "topics.json");
  const updatesFile = readJson(join(contentDir, "updates.json"), updatesFileSchema, "updates.json");
  const routesFile = readJson(join(contentDir, "routes.json"), routesFileSchema, "routes.json");
  const firm = readJson(join(contentDir, "firm.json"), firmFileSchema, "firm.json");
  const pagesFile = readJson(join(contentDir, "pages.json"), pagesFileSchema, "pages.json");
  const sourcedFile = readJson(join(contentDir, "sourced.json"), sourcedFileSchema, "sourced.json");
  const timestamps = readTranscriptTimestamps(join(contentDir, "source", "transcript.txt"));

  const problems: string[] = [];
  const missing = (lang: string, key: string, where: string) => {
    if (!i18n.has(lang as never, key)) problems.push(`${where}: missing ${lang} translation ${key}`);
  };
  /** The long texts, which reach the reader as Telegram HTML whatever the screen: refused here rather than by Telegram, mid-conversation. */
  const html = (lang: Lang, key: string, where: string, options?: Record<string, string>) => {
    if (!i18n.has(lang, key)) return;
    const parsed = parseTelegramHtml(i18n.t(lang)(key, options));
    if (!parsed.ok) problems.push(`${where}: ${lang} ${key} is not valid Telegram HTML (${parsed.error})`);
  };

  const updateById = new Map<string, UpdateItem>();
  for (const item of updatesFile.items) {
    const where = `update "${item.id}"`;
    if (updateById.has(item.id)) problems.push(`${where}: the id is used twice`);
    updateById.set(item.id, item);
    if (!updatesFile.groups.includes(item.group)) problems.push(`${where}: unknown group "${item.group}"`);
    for (const s of item.situations) if (!updatesFile.situations.includes(s)) problems.push(`${where}: unknown situation "${s}"`);
    if ((item.kind === "law") !== (item.date === null)) problems.push(`${where}: law in force has no date, and every change has one`);
    const dated = item.sources.flatMap((s) => (s.date === undefined ? [] : [s.date])).sort().at(-1);
    if (item.sourcesUpTo !== undefined && dated !== undefined && item.sourcesUpTo < dated) problems.push(`${where}: sourcesUpTo ${item.sourcesUpTo} is older than its source of ${dated}`);
    if (!isShown(item)) continue;
    if (newestSource(item) === undefined && item.rechecked !== false) problems.push(`${where}: no source is dated; set sourcesUpTo to the date of the newest one, or rechecked to false`);
    // Its label says "confirmed as of <its newest source>, not re-checked since": that needs a date, unless it is law in force.
    if (newestSource(item) === undefined && item.rechecked === false && item.kind !== "law") problems.push(`${where}: not re-checked, so readers are told as of when it was confirmed; set sourcesUpTo to the date of its newest source`);
    for (const lang of LANGUAGES) {
      for (const field of ["short", "text"]) {
        missing(lang, `updates.items.${item.id}.${field}`, where);
        html(lang, `updates.items.${item.id}.${field}`, where);
      }
    }
  }
  for (const lang of LANGUAGES) {
    for (const group of updatesFile.groups) missing(lang, `updates.groups.${group}`, `updates.json group "${group}"`);
    for (const s of updatesFile.situations) missing(lang, `updates.situations.${s}`, `updates.json situation "${s}"`);
  }
  const shownNote = (noteId: string, where: string) => {
    const item = updateById.get(noteId);
    if (item === undefined) problems.push(`${where}: note "${noteId}" is not in updates.json`);
    else if (!isShown(item)) problems.push(`${where}: note "${noteId}" is unverified and must never be shown`);
  };

  for (const item of updatesFile.items) {
    for (const other of item.shownWith ?? []) {
      if (other === item.id) problems.push(`update "${item.id}": is listed in its own shownWith`);
      else shownNote(other, `update "${item.id}" (shownWith)`);
    }
  }
  /** A list that shows an item shows what qualifies it: "served after 7 days" alone reads as a week's grace. */
  const qualified = (list: readonly string[], where: string) => {
    for (const note of list) {
      for (const other of updateById.get(note)?.shownWith ?? []) if (!list.includes(other)) problems.push(`${where}: shows note "${note}" without "${other}", which qualifies it (updates.json, shownWith)`);
    }
  };

  const topicIds = new Set<string>();
  for (const topic of topicsFile.topics) {
    if (topicIds.has(topic.id)) problems.push(`topic "${topic.id}": the id is used twice`);
    topicIds.add(topic.id);
  }
  for (const topic of topicsFile.topics) {
    const where = `topic "${topic.id}"`;
    for (const cite of topic.cites) {
      if (!timestamps.has(cite)) problems.push(`${where}: cites ${cite}, which is not a timestamp in the transcript`);
    }
    if (topic.kind === "transcript" && topic.cites.length === 0) problems.push(`${where}: cites no transcript timestamp`);
    if (topic.kind === "transcript" && topic.speaker === undefined) problems.push(`${where}: says whose words it retells (speaker)`);
    if (new Set(topic.cites).size !== topic.cites.length) problems.push(`${where}: cites a timestamp twice`);
    for (const rel of topic.related) {
      if (!topicIds.has(rel)) problems.push(`${where}: related topic "${rel}" does not exist`);
      if (rel === topic.id) problems.push(`${where}: lists itself as related`);
    }
    for (const note of topic.notes) shownNote(note, where);
    qualified(topic.notes, where);
    for (const lang of LANGUAGES) {
      for (const field of ["title", "button", "description", "body"]) missing(lang, `topics.${topic.id}.${field}`, where);
      html(lang, `topics.${topic.id}.body`, where, { recorded: "" });
      const button = i18n.t(lang)(`topics.${topic.id}.button`);
      if (button.length > 28) problems.push(`${where}: ${lang} button label is ${button.length} characters; keep it to 28 so two fit side by side`);
      const description = i18n.t(lang)(`topics.${topic.id}.description`);
      if (description.length > 160) problems.push(`${where}: ${lang} description is ${description.length} characters; inline results show about 160`);
    }
  }
  // What Telegram shows before Start, and the command menu: its limits, checked before it refuses them.
  for (const lang of LANGUAGES) {
    const t = i18n.t(lang);
    for (const [key, limit] of [["profile.description", 512], ["profile.shortDescription", 120]] as const) {
      missing(lang, key, "the bot's profile");
      if (t(key).length > limit) problems.push(`the bot's profile: ${lang} ${key} is ${t(key).length} characters; Telegram allows ${limit}`);
    }
  }
  if (topicsFile.topics.filter((t) => t.kind === "updates").length !== 1) problems.push(`topics.json: exactly one topic must have kind "updates"`);

  const sectioned = topicsFile.sections.flatMap((s) => s.topics);
  for (const section of topicsFile.sections) {
    for (const lang of LANGUAGES) missing(lang, `sections.${section.id}`, `section "${section.id}"`);
    for (const t of section.topics) if (!topicIds.has(t)) problems.push(`section "${section.id}": topic "${t}" does not exist`);
  }
  for (const t of topicIds) {
    const times = sectioned.filter((s) => s === t).length;
    if (times !== 1) problems.push(`topic "${t}": must be in exactly one section (is in ${times})`);
  }

  for (const [key, step] of Object.entries(routesFile.steps)) {
    const where = `route step "${key}"`;
    if (!topicIds.has(step.topic)) problems.push(`${where}: topic "${step.topic}" does not exist`);
    for (const note of step.notes) shownNote(note, where);
    for (const note of step.keep ?? []) if (!step.notes.includes(note)) problems.push(`${where}: keeps note "${note}", which is not among its notes`);
    qualified(step.notes, where);
    qualified(step.keep ?? [], `${where} (keep)`);
    for (const lang of LANGUAGES) {
      if (!i18n.has(lang, `route.steps.${key}.lead`) && !i18n.has(lang, `route.stepsOther.${key}.lead`)) problems.push(`${where}: missing ${lang} translation route.steps.${key}.lead (or route.stepsOther.${key}.lead for a step only a relative takes)`);
    }
  }
  const pageById = new Map<string, OfficialPage>();
  for (const page of pagesFile.pages) {
    if (pageById.has(page.id)) problems.push(`pages.json: "${page.id}" is used twice`);
    pageById.set(page.id, page);
  }
  // References must point somewhere; whether every sentence has one is the content check's (it reads the texts).
  for (const [key, refs] of Object.entries(sourcedFile.texts)) {
    for (const lang of LANGUAGES) missing(lang, key, `sourced.json`);
    qualified(refs.flat().filter((ref) => ref.startsWith("update:")).map((ref) => ref.slice("update:".length)), `sourced.json: ${key}`);
    for (const ref of refs.flat()) {
      const [kind, ...rest] = ref.split(":");
      const arg = rest.join(":");
      const ok =
        kind === "transcript" ? timestamps.has(arg)
        : kind === "update" ? updateById.has(arg) && isShown(updateById.get(arg)!)
        : kind === "page" ? pageById.has(arg)
        : kind === "firm" ? arg in firm
        : true;
      if (!ok) problems.push(`sourced.json: ${key} cites ${ref}, which does not exist (or is never shown)`);
    }
  }
  if (problems.length > 0) throw new ContentError(problems);

  const byId = new Map(topicsFile.topics.map((t) => [t.id, t]));
  const shown = updatesFile.items.filter(isShown).sort(newestFirst);
  const byGroup = new Map(updatesFile.groups.map((g) => [g, shown.filter((i) => i.group === g)]));
  const notes = new Map(topicsFile.topics.map((t) => [t.id, t.notes.map((n) => updateById.get(n)!)]));
  // Transitively: what qualifies a qualifier comes too.
  const qualifiersOf = (item: UpdateItem, seen: Set<UpdateItem>): UpdateItem[] =>
    (item.shownWith ?? []).map((n) => updateById.get(n)!).filter((q) => !seen.has(q) && seen.add(q)).flatMap((q) => [q, ...qualifiersOf(q, seen)]);
  const qualifiers = new Map(updatesFile.items.map((i) => [i, qualifiersOf(i, new Set([i]))]));
  const steps = new Map(
    Object.entries(routesFile.steps).map(([key, s]) => [key, { key, topic: s.topic, notes: s.notes.map((n) => updateById.get(n)!), keep: (s.keep ?? []).map((n) => updateById.get(n)!) }]),
  );
  const kept = new Set([...steps.values()].flatMap((s) => s.keep.flatMap((item) => [item, ...qualifiers.get(item)!])));
  const listed = updatesFile.groups.flatMap((g) => byGroup.get(g)!);
  return {
    recordedOn: topicsFile.recordedOn,
    videoUrl: topicsFile.videoUrl === "" ? undefined : topicsFile.videoUrl,
    topics: sectioned.map((t) => byId.get(t)!),
    topic: (id) => byId.get(id),
    sections: topicsFile.sections,
    updates: {
      groups: updatesFile.groups,
      items: listed,
      inGroup: (group) => byGroup.get(group) ?? [],
      newestCheck: shown.map((i) => i.checked).sort().at(-1) ?? "1970-01-01",
      all: updatesFile.items,
      mustKnow: listed.filter((item) => kept.has(item)),
    },
    notesFor: (topicId) => notes.get(topicId) ?? [],
    qualifiers: (item) => qualifiers.get(item) ?? [],
    step: (key) => steps.get(key),
    firm,
    pages: pagesFile.pages,
    page: (id) => pageById.get(id),
    sourced: sourcedFile.texts,
    timestamps,
  };
}
