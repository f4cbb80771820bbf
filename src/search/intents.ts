import { z } from "zod";
import { readJson } from "../content/content.js";
import type { Lang } from "../i18n.js";
import { hasCyrillic, normalize, STOP_WORDS, words } from "./text.js";
import { latinToCyrillic } from "./translit.js";

export const INTENTS = ["call", "lawyer", "price", "help", "thanks", "greeting"] as const;
export type Intent = (typeof INTENTS)[number];

const patterns = z.array(z.string().trim().min(1).max(40)).min(1);
export const intentsFileSchema = z.object({
  order: z.array(z.enum(INTENTS)),
  intents: z.record(z.enum(INTENTS), z.object({ ru: patterns, en: patterns })),
});

/** A pattern as words; the last may end in * to match a word's start. */
type Pattern = { words: string[]; prefix: boolean };

function compile(pattern: string): Pattern {
  const prefix = pattern.endsWith("*");
  return { words: words(prefix ? pattern.slice(0, -1) : pattern), prefix };
}

function matchesAt(text: string[], at: number, p: Pattern): boolean {
  return p.words.every((w, i) => {
    const word = text[at + i];
    if (word === undefined) return false;
    return p.prefix && i === p.words.length - 1 ? word.startsWith(w) : word === w;
  });
}

export interface Recognised {
  /** The first intent, in the content's order, that the text expresses. */
  intent: Intent;
  /** Whether the text says anything besides intents: then it may still be a question about a topic. */
  more: boolean;
}

/**
 * Recognises what free text is besides a question about a topic: a greeting, thanks, a plea for
 * help, wanting to call, asking the price or for a lawyer. Patterns are content
 * (content/intents.json), checked in both languages whatever the reader's language.
 */
export class Intents {
  private readonly compiled: [Intent, Pattern[]][];

  constructor(file: z.infer<typeof intentsFileSchema>) {
    this.compiled = file.order.map((intent) => [intent, (["ru", "en"] as Lang[]).flatMap((lang) => file.intents[intent]?.[lang] ?? []).map(compile)]);
  }

  static load(path: string): Intents {
    return new Intents(readJson(path, intentsFileSchema, "intents.json"));
  }

  /** Russian written in Latin letters ("skolko stoit advokat") is read both ways. */
  recognise(text: string): Recognised | undefined {
    const direct = this.match(words(text));
    if (direct !== undefined || hasCyrillic(text)) return direct;
    return this.match(words(text).map(latinToCyrillic));
  }

  private match(w: string[]): Recognised | undefined {
    const covered = new Set<number>();
    let first: Intent | undefined;
    for (const [intent, list] of this.compiled) {
      for (const p of list) {
        for (let at = 0; at + p.words.length <= w.length; at++) {
          if (!matchesAt(w, at, p)) continue;
          first ??= intent;
          for (let i = 0; i < p.words.length; i++) covered.add(at + i);
        }
      }
    }
    if (first === undefined) return undefined;
    const more = w.some((word, i) => !covered.has(i) && !STOP_WORDS.ru.has(normalize(word)) && !STOP_WORDS.en.has(normalize(word)));
    return { intent: first, more };
  }
}
