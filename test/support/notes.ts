import { LOCALES_DIR } from "../../src/app.js";
import { type Content, newestSource } from "../../src/content/content.js";
import { formatDate } from "../../src/content/dates.js";
import { createI18n, type Lang, readLocales } from "../../src/i18n.js";
import type { Texts } from "./texts.js";

const i18n = createI18n(readLocales(LOCALES_DIR));

/**
 * "Jun 2026" / "июнь 2026 г.": how far these notes run, as a screen's header says it: the newest of
 * their sources, or of their own dates when one is later, so a screen never says its sources end
 * before an item it shows.
 */
export function upTo(content: Content, lang: Lang, ids: readonly string[]): string {
  const newest = ids
    .map((id) => content.updates.all.find((i) => i.id === id)!)
    .flatMap((item) => [newestSource(item) ?? "", item.date ?? ""])
    .sort()
    .at(-1)!;
  return formatDate(i18n.t(lang), newest.slice(0, 7), "short");
}

/** The ids of the update items whose short line a screen shows. */
export function notesOn(content: Content, text: string, t: (key: string) => string): string[] {
  return content.updates.items.filter((i) => text.includes(t(`updates.items.${i.id}.short`))).map((i) => i.id);
}

/**
 * The labels an item carries, by its grade and last check, written out from the locale keys: on a
 * note only what needs care ("reported", anything not re-checked), on an update page every grade.
 * An item not re-checked gets one label: confirmed as of its newest source's month, or, for law in
 * force, unchanged in the sources.
 */
export function labelsOf(content: Content, t: Texts, lang: Lang, id: string, every = false): string[] {
  const item = content.updates.all.find((i) => i.id === id)!;
  if (item.rechecked === false) {
    const newest = newestSource(item);
    return [item.kind === "law" || newest === undefined ? t("common.lawNotRechecked") : t("common.notRechecked", { grade: t(`common.grades.${item.grade}`), month: formatDate(i18n.t(lang), newest.slice(0, 7), "short") })];
  }
  return every || item.grade !== "confirmed" ? [t(`common.grades.${item.grade}`)] : [];
}
