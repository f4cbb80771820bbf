import { readFileSync } from "node:fs";
import type { Content } from "../src/content/content.js";
import { type I18n, localeKeys } from "../src/i18n.js";
import { htmlToText } from "../src/telegram/html.js";

/**
 * The words the Russian texts use, as the content guide's glossary sets them (content/source/
 * CONTENT-GUIDE.md, "Glossary"): the rejected terms, and the only names that stay in Latin
 * letters on a Russian screen. The editor keeps the glossary there; this reads it, so the check
 * and the guide cannot disagree.
 */
export interface Glossary {
  rejected: { term: string; use: string }[];
  /** English terms rejected on English screens, with the one to use. */
  rejectedEn: { term: string; use: string }[];
  /** Acronyms a Russian screen explains where it first names them: the starts of the explanation's words. */
  acronyms: { acronym: string; words: string[] }[];
  latinNames: string[];
}

/** The rows of the first Markdown table in a text, as trimmed cells, without its header row and the rule under it. */
function tableRows(text: string): string[][] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith("|"));
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && !l.startsWith("|"));
  return lines.slice(start + 2, end < 0 ? undefined : end).map((line) => line.split("|").slice(1, -1).map((c) => c.trim()));
}

function rejectedTerms(rows: string[][]): { term: string; use: string }[] {
  return rows.flatMap((cells) => cells[1]!.split(",").map((t) => t.trim()).filter((t) => t !== "").map((term) => ({ term, use: cells[0]! })));
}

export function readGlossary(guidePath: string): Glossary {
  const text = readFileSync(guidePath, "utf8");
  const section = text.slice(text.indexOf("## Glossary"));
  // The Russian table comes first; each ### part after it has its own table or list.
  const parts = section.split(/\n### /);
  const part = (title: string) => parts.find((p) => p.startsWith(title)) ?? "";
  const acronyms = tableRows(part("Acronyms on Russian screens")).map((cells) => ({ acronym: cells[0]!, words: cells[1]!.split(",").map((w) => w.trim()).filter((w) => w !== "") }));
  const latin = /^Latin letters on Russian screens[\s\S]*?\n\n[\s\S]*?\n\n([^\n]+)/.exec(part("Latin letters on Russian screens"));
  const latinNames = (latin?.[1] ?? "").split(",").map((n) => n.replace(/\(.*?\)/g, "").trim()).filter((n) => n !== "");
  return { rejected: rejectedTerms(tableRows(parts[0]!)), rejectedEn: rejectedTerms(tableRows(part("English words"))), acronyms, latinNames };
}

/** Keys that are not shown as text: a locale's date format, a file name. */
const NOT_SHOWN = /^(?:meta\.|guide\.filename$)/;
/** Cyrillic words an English screen may show: the names of the languages on the language switch. */
const CYRILLIC_IN_ENGLISH = ["Русский", "Язык"];
/** English that marks a publisher's name as a description rather than a name. */
const DESCRIPTIVE = /\b(?:citing|via|announcement|law firm|blog|data|reposted|mirror|aggregator)\b/i;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** What a reader sees of a locale text: no markup, no placeholders (a link's among them), no commands. */
function visible(text: string): string {
  return htmlToText(text.replace(/href="\{\{[^}]+\}\}"/g, 'href="https://example.org"'))
    .replace(/\{\{[^}]+\}\}/g, " ")
    .replace(/(^|\s)\/[a-z_]+/g, "$1");
}

/**
 * Language problems in the texts: a rejected Russian term, a Latin word on a Russian screen that
 * is not a kept name, English descriptions in a Russian publisher's name, Cyrillic on an English
 * screen.
 */
export function languageProblems(i18n: I18n, content: Content, glossary: Glossary): string[] {
  const problems: string[] = [];
  const rejected = glossary.rejected.map(({ term, use }) => ({ term, use, pattern: new RegExp(`(?<![\\p{L}])${escapeRegExp(term)}`, "iu") }));
  // The longest names first, so "CBP One" goes before "CBP".
  const names = [...glossary.latinNames].sort((a, b) => b.length - a.length).map((n) => new RegExp(`(?<![\\p{L}])${escapeRegExp(n)}(?![\\p{L}])`, "gu"));
  const latinLeft = (text: string) => {
    let rest = text;
    for (const name of names) rest = rest.replace(name, " ");
    return rest.match(/[A-Za-z][A-Za-z'’-]*/g) ?? [];
  };
  const ru = i18n.t("ru");
  const en = i18n.t("en");
  const checkRussian = (where: string, text: string, latinAllowed: (word: string) => boolean) => {
    for (const r of rejected) if (r.pattern.test(text)) problems.push(`${where} (ru): «${r.term}» is rejected by the glossary; use «${r.use}»`);
    const latin = latinLeft(text).filter((w) => !latinAllowed(w));
    if (latin.length > 0) problems.push(`${where} (ru): English on a Russian screen: ${[...new Set(latin)].join(", ")}`);
  };
  for (const key of localeKeys(i18n.resources.ru)) {
    if (NOT_SHOWN.test(key)) continue;
    checkRussian(key, visible(ru(key)), () => false);
  }
  const rejectedEn = glossary.rejectedEn.map(({ term, use }) => ({ term, use, pattern: new RegExp(`(?<![\\p{L}])${escapeRegExp(term)}`, "iu") }));
  for (const key of localeKeys(i18n.resources.en)) {
    if (NOT_SHOWN.test(key)) continue;
    const text = visible(en(key));
    const cyrillic = (text.match(/[\p{Script=Cyrillic}]+/gu) ?? []).filter((w) => !CYRILLIC_IN_ENGLISH.includes(w));
    if (cyrillic.length > 0) problems.push(`${key} (en): Russian on an English screen: ${[...new Set(cyrillic)].join(", ")}`);
    for (const r of rejectedEn) if (r.pattern.test(text)) problems.push(`${key} (en): "${r.term}" is rejected by the glossary; use "${r.use}"`);
  }
  for (const item of content.updates.items) {
    for (const source of item.sources) {
      const name = typeof source.publisher === "string" ? source.publisher : source.publisher.ru;
      const where = `update "${item.id}" publisher "${name}"`;
      if (DESCRIPTIVE.test(name)) problems.push(`${where} (ru): English words describing a source; give the publisher as { "en": …, "ru": … }`);
      // A publisher's name is a name and may stay in Latin letters.
      checkRussian(where, name, () => true);
    }
  }
  return problems;
}

/** How near its explanation must be to the first time a screen names an acronym. */
const ACRONYM_WINDOW = 60;

/**
 * An acronym a Russian screen names without explaining it the first time: the words of its
 * explanation (content guide, "Acronyms on Russian screens") within 60 characters of that first
 * mention, before or after it. `text` is the screen as the reader sees it.
 */
export function acronymProblems(text: string, glossary: Glossary): string[] {
  const problems: string[] = [];
  for (const { acronym, words } of glossary.acronyms) {
    const first = new RegExp(`(?<![\\p{L}])${escapeRegExp(acronym)}(?![\\p{L}])`, "u").exec(text);
    if (first === null) continue;
    const around = text.slice(Math.max(0, first.index - ACRONYM_WINDOW), first.index + acronym.length + ACRONYM_WINDOW).toLowerCase();
    const missing = words.filter((w) => !new RegExp(`(?<![\\p{L}])${escapeRegExp(w.toLowerCase())}`, "u").test(around));
    if (missing.length > 0) problems.push(`${acronym} is not explained where the screen first names it (${words.join(", ")}): …${text.slice(Math.max(0, first.index - 30), first.index + 40).replace(/\n/g, " ")}…`);
  }
  return problems;
}
