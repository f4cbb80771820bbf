import { LOCALES_DIR } from "../../src/app.js";
import { createI18n, type Lang, readLocales } from "../../src/i18n.js";
import { htmlToText } from "../../src/telegram/html.js";

/**
 * Texts as the reader sees them, looked up by key in the real locales: tests say which text
 * they expect, not its wording, so an operator's edit to a sentence breaks no test. The few
 * tests that pin wording do so on purpose, for safety, and say why beside them.
 */
const i18n = createI18n(readLocales(LOCALES_DIR));

export type Texts = (key: string, options?: Record<string, unknown>) => string;

/** A text without options, as the reader sees it, is worked out once: the content walks ask for each note's short line on every screen, over a million times a run. */
const plain: Record<Lang, Map<string, string>> = { ru: new Map(), en: new Map() };

export function texts(lang: Lang): Texts {
  const t = i18n.t(lang);
  const known = plain[lang];
  return (key, options) => {
    if (options !== undefined) return htmlToText(t(key, options) as string);
    let text = known.get(key);
    if (text === undefined) known.set(key, (text = htmlToText(t(key) as string)));
    return text;
  };
}

/** The first line of a text: what a screen starts with. */
export function firstLine(text: string): string {
  return text.split("\n", 1)[0]!;
}

export const en = texts("en");
export const ru = texts("ru");
