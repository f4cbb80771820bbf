import type { Lang } from "../src/i18n.js";

export interface TypedMessage {
  q: string;
  lang: Lang;
  /** What the bot should do: an intent name, or topic:<id> for the topic it should offer first. */
  label: string;
}

export interface TypedReport {
  byLang: Record<string, { count: number; correct: number; accuracy: number }>;
  misses: { q: string; lang: string; expected: string; got: string }[];
}

/**
 * Accuracy per language of what the bot does with typed text: the label the reader's message
 * leads to (see test/typed-messages.json) against the one it should. `read` says what the bot
 * would do, as a label of the same kind.
 */
export function evaluateTyped(messages: TypedMessage[], read: (text: string, lang: Lang) => string): TypedReport {
  const byLang: TypedReport["byLang"] = {};
  const misses: TypedReport["misses"] = [];
  for (const m of messages) {
    const got = read(m.q, m.lang);
    const r = (byLang[m.lang] ??= { count: 0, correct: 0, accuracy: 0 });
    r.count++;
    if (got === m.label) r.correct++;
    else misses.push({ q: m.q, lang: m.lang, expected: m.label, got });
  }
  for (const r of Object.values(byLang)) r.accuracy = r.correct / r.count;
  return { byLang, misses };
}
