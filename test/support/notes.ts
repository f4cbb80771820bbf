import { LOCALES_DIR } from "../../src/app.js";
import { type Content, newestSource } from "../../src/content/content.js";
import { formatDate } from "../../src/content/dates.js";
import { createI18n, type Lang, readLocales } from "../../src/i18n.js";

const i18n = createI18n(readLocales(LOCALES_DIR));

/** "Jun 2026" / "июнь 2026 г.": how far the newest source of these notes runs, as a screen's header says it. */
export function upTo(content: Content, lang: Lang, ids: readonly string[]): string {
  const newest = ids.map((id) => newestSource(content.updates.all.find((i) => i.id === id)!) ?? "").sort().at(-1)!;
  return formatDate(i18n.t(lang), newest.slice(0, 7), "short");
}

/** The ids of the update items whose short line a screen shows. */
export function notesOn(content: Content, text: string, t: (key: string) => string): string[] {
  return content.updates.items.filter((i) => text.includes(t(`updates.items.${i.id}.short`))).map((i) => i.id);
}
