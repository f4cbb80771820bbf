import { readFileSync } from "node:fs";
import type { Grade, UpdateItem } from "../src/content/schema.js";

/**
 * What the verified list (content/source/updates-2026-11.md) says about each of its sections:
 * the grades its "Confidence" names, and whether it says the item was not re-checked. An item of
 * updates.json names its section (ref); the content check holds the item to it, so the label a
 * reader sees follows the grade the list gives.
 */
export interface ListedSection {
  grades: Set<Grade>;
  /** Where the section grades several claims apart ("Confirmed: the ruling date…; Likely: the exact scope…"): each claim with its grade. */
  claims: { words: string; grade: Grade }[];
  notRechecked: boolean;
}

const GRADE_WORDS: [RegExp, Grade][] = [
  [/\bconfirmed\b/i, "confirmed"],
  [/\blikely\b/i, "likely"],
  [/\bunverified\b/i, "unverified"],
];
const NOT_RECHECKED = /not re-?checked|not re-?verified/i;

export function readVerifiedList(path: string): Map<string, ListedSection> {
  const text = readFileSync(path, "utf8");
  const sections = new Map<string, ListedSection>();
  // "## 2. …" and "### 1d. …" open a section; a section with subsections has no confidence of its own.
  const headings = [...text.matchAll(/^#{2,3} (\d{1,2}[a-z]?)\. .*$/gm)];
  headings.forEach((h, i) => {
    const body = text.slice(h.index! + h[0].length, headings[i + 1]?.index ?? text.indexOf("## Appendix"));
    const start = body.indexOf("**Confidence:**");
    if (start < 0) return;
    const confidence = body.slice(start).split(/\n(?! {2,}- )/, 1)[0]!;
    const grades = new Set(GRADE_WORDS.filter(([word]) => word.test(confidence)).map(([, grade]) => grade));
    // Each graded claim: a sub-bullet ("**Likely:** the exact scope"), or a part of the line ("confirmed for the memo; its date is unverified").
    const parts = confidence.includes("\n") ? confidence.split("\n").slice(1) : confidence.replace("**Confidence:**", "").split(";");
    const claims = parts.flatMap((part) => {
      const grade = GRADE_WORDS.find(([word]) => word.test(part))?.[1];
      return grade === undefined ? [] : [{ words: part.replace(/\*\*[^*]+\*\*|^\s*-\s*/g, "").trim(), grade }];
    });
    sections.set(h[1]!, { grades, claims, notRechecked: NOT_RECHECKED.test(confidence) });
  });
  // The appendix table: | # | Current entry | Verdict | Change needed |, rows A1, A2…
  const appendix = text.slice(text.indexOf("## Appendix"));
  for (const row of appendix.matchAll(/^\| (\d{1,2}) \|([^|]*)\|([^|]*)\|/gm)) {
    const verdict = row[3]!;
    sections.set(`A${row[1]}`, { grades: new Set(GRADE_WORDS.filter(([word]) => word.test(verdict)).map(([, grade]) => grade)), claims: [], notRechecked: NOT_RECHECKED.test(verdict) });
  }
  return sections;
}

/** Where an item disagrees with the section of the verified list it names. */
export function gradeProblems(items: readonly UpdateItem[], list: Map<string, ListedSection>): string[] {
  const problems: string[] = [];
  for (const item of items) {
    const where = `update "${item.id}"`;
    const section = list.get(item.ref);
    if (section === undefined) {
      problems.push(`${where}: ref ${item.ref} is not a section of the verified list`);
      continue;
    }
    // An appendix row of an item not re-checked gives no grade; the item's own is kept.
    if (section.grades.size > 1) {
      // Several claims graded apart: the item names the one it states, and takes its grade.
      const claim = item.gradedOn === undefined ? undefined : section.claims.find((c) => c.words.toLowerCase().includes(item.gradedOn!.toLowerCase()));
      if (claim === undefined) problems.push(`${where}: the verified list (${item.ref}) grades several claims apart (${section.claims.map((c) => `${c.grade}: ${c.words}`).join("; ")}); set gradedOn to the words of the one the item states`);
      else if (claim.grade !== item.grade) problems.push(`${where}: graded ${item.grade}, but the verified list (${item.ref}) grades "${claim.words}" ${claim.grade}`);
    } else if (section.grades.size === 1 && !section.grades.has(item.grade)) {
      problems.push(`${where}: graded ${item.grade}, but the verified list (${item.ref}) grades it ${[...section.grades].join(" / ")}`);
    }
    if (section.notRechecked !== (item.rechecked === false)) {
      problems.push(`${where}: the verified list (${item.ref}) says it was ${section.notRechecked ? "not " : ""}re-checked; set rechecked${section.notRechecked ? " to false" : ""} to match`);
    }
  }
  return problems;
}

/**
 * Where a source's link opens a copy of the publisher's text on another site, the verified list
 * says so on the line with that link ("(via mirror)", "(AP, via CityNews Toronto)"); "seen via"
 * names where an original link was read, which is not a copy. A copy must say which site it is on
 * (copyAt), so the guide shows it as a copy; a link the list does not call a copy must not.
 */
export function copyProblems(items: readonly UpdateItem[], listPath: string): string[] {
  const lines = readFileSync(listPath, "utf8").split("\n");
  const problems: string[] = [];
  for (const item of items) {
    for (const source of item.sources) {
      if (source.url === undefined) continue;
      const line = lines.find((l) => l.includes(source.url!));
      if (line === undefined) continue;
      const copy = [...line.matchAll(/\(([^()]*)\)/g)].some((m) => /\bvia\b/i.test(m[1]!) && !/\bseen via\b/i.test(m[1]!));
      if (copy && source.copyAt === undefined) problems.push(`update "${item.id}": the verified list calls ${source.url} a copy ("via"); name the site it is on with copyAt`);
      if (!copy && source.copyAt !== undefined) problems.push(`update "${item.id}": copyAt is set for ${source.url}, which the verified list does not call a copy`);
    }
  }
  return problems;
}
