import { isLang, type Lang } from "../i18n.js";
import { ID } from "../content/schema.js";

/**
 * Start payloads for t.me/<bot>?start=<payload>: at most 64 characters of A-Za-z0-9_-.
 *
 *   <lang>[-<topic>][_<source>]     e.g. ru, en-bond, ru_sh, ru-political-case_in
 *
 * The source says where a start came from (sh: share link, in: inline card) and feeds the
 * anonymous statistics.
 */

export const SOURCES = ["sh", "in"] as const;
export type Source = (typeof SOURCES)[number];

export interface StartRequest {
  lang: Lang;
  topic?: string;
  source?: Source;
}

const PAYLOAD = new RegExp(`^(ru|en)(?:-(${ID.source.slice(1, -1)}))?(?:_([a-z]{2}))?$`);

export function startPayload(request: StartRequest): string {
  return `${request.lang}${request.topic === undefined ? "" : `-${request.topic}`}${request.source === undefined ? "" : `_${request.source}`}`;
}

/** Reads a payload; anything malformed, or naming a topic that does not exist, yields undefined. */
export function parseStartPayload(payload: string, topicExists: (id: string) => boolean): StartRequest | undefined {
  if (payload.length > 64) return undefined;
  const m = PAYLOAD.exec(payload);
  if (m === null || !isLang(m[1])) return undefined;
  const [, lang, topic, source] = m;
  if (topic !== undefined && !topicExists(topic)) return undefined;
  if (source !== undefined && !(SOURCES as readonly string[]).includes(source)) return undefined;
  return { lang, ...(topic === undefined ? {} : { topic }), ...(source === undefined ? {} : { source: source as Source }) };
}

export function deepLink(username: string, request: StartRequest): string {
  return `https://t.me/${username}?start=${startPayload(request)}`;
}
