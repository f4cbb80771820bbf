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
  latinNames: string[];
}

export function readGlossary(guidePath: string): Glossary {
  const text = readFileSync(guidePath, "utf8");
  const section = text.slice(text.indexOf("## Glossary"));
  const rejected: Glossary["rejected"] = [];
  for (const line of section.split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    // | Use | Not | For |: a row of the table, not its header or rule.
    if (cells.length < 5 || cells[1] === "Use" || /^-+$/.test(cells[1]!)) continue;
    for (const term of cells[2]!.split(",").map((t) => t.trim()).filter((t) => t !== "")) rejected.push({ term, use: cells[1]! });
  }
  const latin = /### Latin letters on Russian screens[\s\S]*?\n\n[\s\S]*?\n\n([^\n]+)/.exec(section);
  const latinNames = (latin?.[1] ?? "").split(",").map((n) => n.replace(/\(.*?\)/g, "").trim()).filter((n) => n !== "");
  return { rejected, latinNames };
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
  for (const key of localeKeys(i18n.resources.en)) {
    if (NOT_SHOWN.test(key)) continue;
    const cyrillic = (visible(en(key)).match(/[\p{Script=Cyrillic}]+/gu) ?? []).filter((w) => !CYRILLIC_IN_ENGLISH.includes(w));
    if (cyrillic.length > 0) problems.push(`${key} (en): Russian on an English screen: ${[...new Set(cyrillic)].join(", ")}`);
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
