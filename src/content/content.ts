import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { z } from "zod";
import { LANGUAGES, type I18n } from "../i18n.js";
import { readTranscriptTimestamps } from "./transcript.js";
import { firmFileSchema, topicsFileSchema, updatesFileSchema, type FirmFile, type Topic, type UpdateItem } from "./schema.js";

export interface Content {
  /** ISO date of the interview. */
  recordedOn: string;
  topics: readonly Topic[];
  topic(id: string): Topic | undefined;
  /** Confirmed updates only: unconfirmed items never reach a reader. */
  updates: { listDate: string; items: readonly UpdateItem[] };
  /** Confirmed updates that affect a topic, in list order. */
  updatesFor(topicId: string): readonly UpdateItem[];
  firm: FirmFile;
  /** Every timestamp that opens a speaker turn in the transcript. */
  timestamps: ReadonlySet<string>;
}

export class ContentError extends Error {
  constructor(readonly problems: string[]) {
    super(`Content is not valid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

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

/**
 * Loads the topic structure and cross-checks it against the transcript and both locales.
 * Any problem stops start-up: a half-working legal-information bot is worse than none.
 */
export function loadContent(contentDir: string, i18n: I18n): Content {
  const topicsFile = readJson(join(contentDir, "topics.json"), topicsFileSchema, "topics.json");
  const updatesFile = readJson(join(contentDir, "updates.json"), updatesFileSchema, "updates.json");
  const firm = readJson(join(contentDir, "firm.json"), firmFileSchema, "firm.json");
  const timestamps = readTranscriptTimestamps(join(contentDir, "source", "transcript.txt"));

  const problems: string[] = [];
  const ids = new Set<string>();
  for (const topic of topicsFile.topics) {
    if (ids.has(topic.id)) problems.push(`topic "${topic.id}": the id is used twice`);
    ids.add(topic.id);
  }
  for (const topic of topicsFile.topics) {
    const where = `topic "${topic.id}"`;
    for (const cite of topic.cites) {
      if (!timestamps.has(cite)) problems.push(`${where}: cites ${cite}, which is not a timestamp in the transcript`);
    }
    if (topic.kind !== "safety" && topic.cites.length === 0) problems.push(`${where}: cites no transcript timestamp`);
    if (new Set(topic.cites).size !== topic.cites.length) problems.push(`${where}: cites a timestamp twice`);
    for (const rel of topic.related) {
      if (!ids.has(rel)) problems.push(`${where}: related topic "${rel}" does not exist`);
      if (rel === topic.id) problems.push(`${where}: lists itself as related`);
    }
    for (const lang of LANGUAGES) {
      for (const field of ["title", "button", "description", "body"]) {
        if (!i18n.has(lang, `topics.${topic.id}.${field}`)) problems.push(`${where}: missing ${lang} translation topics.${topic.id}.${field}`);
      }
      const button = i18n.t(lang)(`topics.${topic.id}.button`);
      if (button.length > 28) problems.push(`${where}: ${lang} button label is ${button.length} characters; keep it to 28 so two fit side by side`);
      const description = i18n.t(lang)(`topics.${topic.id}.description`);
      if (description.length > 160) problems.push(`${where}: ${lang} description is ${description.length} characters; inline results show about 160`);
    }
  }
  const kinds = topicsFile.topics.map((t) => t.kind);
  if (kinds.filter((k) => k === "updates").length !== 1) problems.push(`topics.json: exactly one topic must have kind "updates"`);

  const updateIds = new Set<string>();
  for (const item of updatesFile.items) {
    const where = `update "${item.id}"`;
    if (updateIds.has(item.id)) problems.push(`${where}: the id is used twice`);
    updateIds.add(item.id);
    if (!item.confirmed) continue;
    for (const affected of item.affects) {
      if (!ids.has(affected)) problems.push(`${where}: affects unknown topic "${affected}"`);
    }
    for (const lang of LANGUAGES) {
      for (const field of ["short", "text", "source"]) {
        if (!i18n.has(lang, `updates.items.${item.id}.${field}`)) problems.push(`${where}: missing ${lang} translation updates.items.${item.id}.${field}`);
      }
    }
  }
  if (problems.length > 0) throw new ContentError(problems);

  const byId = new Map(topicsFile.topics.map((t) => [t.id, t]));
  const confirmed = updatesFile.items.filter((i) => i.confirmed);
  const affecting = new Map<string, UpdateItem[]>();
  for (const item of confirmed) {
    for (const topicId of item.affects) affecting.set(topicId, [...(affecting.get(topicId) ?? []), item]);
  }
  return {
    recordedOn: topicsFile.recordedOn,
    topics: topicsFile.topics,
    topic: (id) => byId.get(id),
    updates: { listDate: updatesFile.listDate, items: confirmed },
    updatesFor: (topicId) => affecting.get(topicId) ?? [],
    firm,
    timestamps,
  };
}
