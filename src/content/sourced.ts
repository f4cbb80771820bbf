import { LANGUAGES, type I18n, type Lang } from "../i18n.js";
import { htmlToText } from "../telegram/html.js";
import type { Content } from "./content.js";

/**
 * Texts whose every sentence names its source (content/sourced.json): the urgent lane and the
 * safety card, where a wrong sentence can cost someone their freedom. The content check lists
 * each sentence with its source and fails on a sentence that has none.
 */

/** The sentences a reader sees in a text: lines, then sentences ending in . ! ? or … before a capital, a digit or a quote. */
export function sentences(html: string): string[] {
  return htmlToText(html)
    .split("\n")
    .map((line) => line.replace(/^\s*[•\-–]\s*/, "").trim())
    .filter((line) => line !== "")
    .flatMap((line) => line.split(/(?<=[.!?…])\s+(?=[«"“(/]?[\p{Lu}\d/])/u))
    .map((s) => s.trim())
    .filter((s) => /[\p{L}\p{N}]/u.test(s));
}

export interface SourcedSentence {
  key: string;
  lang: Lang;
  text: string;
  /** The references, as written in sourced.json; empty when the sentence has none. */
  sources: readonly string[];
  /** Each reference as a reader or an auditor can check it: a minute of the video, a dated update, an address. */
  described: string[];
}

/** What a reference points to, in words; undefined when it points nowhere. */
export function describeSource(content: Content, ref: string): string | undefined {
  const [kind, ...rest] = ref.split(":");
  const arg = rest.join(":");
  switch (kind) {
    case "transcript":
      return content.timestamps.has(arg) ? `transcript ${arg} (interview of ${content.recordedOn})` : undefined;
    case "update": {
      const item = content.updates.all.find((i) => i.id === arg);
      return item === undefined || item.grade === "unverified" ? undefined : `update list: ${arg} (${item.grade}, checked ${item.checked})`;
    }
    case "page": {
      const page = content.page(arg);
      return page === undefined ? undefined : `official page ${page.id}: ${page.url}, checked ${page.checked}`;
    }
    case "firm":
      return arg in content.firm ? `firm.json: ${arg}` : undefined;
    case "bot":
      return "what this bot does (its code and tests)";
    case "attorney":
      return "sends the reader to the attorney; states no rule";
    case "no-claim":
      return "no claim (a kind word, a heading)";
    default:
      return undefined;
  }
}

/** Every sentence of every sourced text, in both languages, with its sources; and what is wrong. */
export function sourcedSentences(content: Content, i18n: I18n): { sentences: SourcedSentence[]; problems: string[] } {
  const out: SourcedSentence[] = [];
  const problems: string[] = [];
  for (const [key, refs] of Object.entries(content.sourced)) {
    for (const lang of LANGUAGES) {
      if (!i18n.has(lang, key)) {
        problems.push(`sourced.json: ${key} is not in the ${lang} locale`);
        continue;
      }
      // Addresses are interpolated from pages.json; any address splits the same way.
      const list = sentences(i18n.t(lang)(key, { url: "https://example.org/", address: "example.org", checked: "1 January 2026" }));
      if (list.length !== refs.length) {
        problems.push(`sourced.json: ${key} (${lang}) has ${list.length} sentences but ${refs.length} source entries; every sentence needs its own entry, in order, the same in both languages`);
      }
      list.forEach((text, i) => {
        const sources = refs[i] ?? [];
        const described = sources.map((ref) => describeSource(content, ref) ?? `UNKNOWN ${ref}`);
        out.push({ key, lang, text, sources, described });
        if (sources.length === 0) problems.push(`${key} (${lang}): no source for “${text}”`);
        for (const ref of sources) if (describeSource(content, ref) === undefined) problems.push(`${key} (${lang}): unknown source ${ref} for “${text}”`);
      });
    }
  }
  return { sentences: out, problems };
}
