import { z } from "zod";
import { readJson } from "../content/content.js";
import type { Lang } from "../i18n.js";
import { hasCyrillic, normalize, STOP_WORDS, words } from "./text.js";
import { latinToCyrillic } from "./translit.js";

/**
 * What typed text says besides a question about a topic. The urgent ones come first in the
 * content's order: wanting one's data deleted, asking whether this is a bot, someone detained,
 * writing for someone close, fear; then being at the US border, the one-year filing deadline,
 * having no money for a lawyer; then the lawyer, the price, and small talk.
 */
export const INTENTS = ["forget", "bot", "detained", "relative", "distress", "atBorder", "deadline", "cannotPay", "call", "lawyer", "price", "thanks", "ok", "greeting"] as const;
export type Intent = (typeof INTENTS)[number];

const patterns = z.array(z.string().trim().min(1).max(60)).min(1);
const bilingualPatterns = z.object({ ru: patterns, en: patterns });
export const intentsFileSchema = z.object({
  order: z.array(z.enum(INTENTS)),
  intents: z.record(z.enum(INTENTS), bilingualPatterns),
  /** Words that add nothing to an intent ("хочу", "please"): covered, so "I want to talk to a lawyer" is only about the lawyer. */
  fillers: z.object({ ru: z.array(z.string()), en: z.array(z.string()) }),
  /** Countries people flee to: a name in typed text or an inline query leads to the card for someone in a third country. */
  places: z.record(
    z.string().regex(/^[a-z]{2,12}$/),
    z.object({
      name: z.object({ ru: z.string().min(1), en: z.string().min(1) }),
      patterns: bilingualPatterns,
      /**
       * Where the country's US embassy holds the visa interviews the update list names for Russians
       * (interviews-abroad): "Astana", and in Russian after «в» («Астане»). The card says it, rather
       * than that the bot knows nothing of the country.
       */
      visaInterviewsIn: z.object({ ru: z.string().min(1), en: z.string().min(1) }).optional(),
    }),
  ),
  /**
   * Where someone was detained, for a message about a detention: words that place it in the US
   * (ICE, «детеншн», a US state), in Russia (a Russian airport, the military office), or at a
   * border without saying whose. A third country is one of `places`.
   */
  detainedWhere: z.object({ us: bilingualPatterns, russia: bilingualPatterns, border: bilingualPatterns }),
  /** Words that say the writer is the one held («меня задержали», "I'm being held"): the screen then speaks to them, not to someone searching. */
  detainedSelf: bilingualPatterns,
});
export type IntentsFile = z.infer<typeof intentsFileSchema>;

/**
 * A pattern: words, the last of which may end in * to match a word's start ("задержан*"); "=" in
 * front means the whole message ("=help"); a pattern with no letters or digits ("😭") is looked
 * for anywhere in the text.
 */
type Pattern = { words: string[]; prefix: boolean; whole: boolean; symbols?: string };

function compile(pattern: string): Pattern {
  const whole = pattern.startsWith("=");
  const body = whole ? pattern.slice(1) : pattern;
  const prefix = body.endsWith("*");
  const w = words(prefix ? body.slice(0, -1) : body);
  return w.length === 0 ? { words: [], prefix: false, whole: false, symbols: normalize(body) } : { words: w, prefix, whole };
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
  /** Every intent the text expresses, in the content's order. */
  all: Intent[];
  /** How many meaningful words the text says besides its intents: then it may still be a question about a topic. */
  more: number;
}

export interface Place {
  id: string;
  name: Record<Lang, string>;
  visaInterviewsIn?: Record<Lang, string>;
}

/** Where a detention happened, as far as the text says: in the US, in Russia, or at a border it does not name. */
export type DetainedWhere = "us" | "russia" | "border";

/**
 * The typed-text matcher: intents and places are content (content/intents.json), checked in both
 * languages whatever the reader's language, with Russian typed in Latin letters read both ways.
 * What the bot then does with them is decided in one place, search/answer.ts.
 */
export class Intents {
  private readonly compiled: [Intent, Pattern[]][];
  private readonly fillers: Set<string>;
  private readonly places: [Place, Pattern[]][];
  private readonly where: [DetainedWhere, Pattern[]][];
  private readonly self: [true, Pattern[]][];

  constructor(file: IntentsFile) {
    const both = (p: { ru: string[]; en: string[] }) => [...p.ru, ...p.en].map(compile);
    this.compiled = file.order.map((intent) => [intent, both(file.intents[intent] ?? { ru: [], en: [] })]);
    this.fillers = new Set([...file.fillers.ru, ...file.fillers.en].map(normalize));
    this.places = Object.entries(file.places).map(([id, p]) => [{ id, name: p.name, ...(p.visaInterviewsIn === undefined ? {} : { visaInterviewsIn: p.visaInterviewsIn }) }, both(p.patterns)]);
    // In this order: a message that names the US (or ICE) is about the US whatever else it says.
    this.where = (["us", "russia", "border"] as const).map((w) => [w, both(file.detainedWhere[w])]);
    this.self = [[true, both(file.detainedSelf)]];
  }

  static load(path: string): Intents {
    return new Intents(readJson(path, intentsFileSchema, "intents.json"));
  }

  recognise(text: string): Recognised | undefined {
    const direct = this.match(text, words(text));
    if (direct !== undefined || hasCyrillic(text)) return direct;
    return this.match(text, words(text).map(latinToCyrillic));
  }

  /** The first country the text names, in any case, language or common misspelling. */
  place(text: string): Place | undefined {
    return this.firstOf(this.places, text);
  }

  /** Where the detention a text speaks of happened, when it says so: the US first, then Russia, then a border it does not name. */
  detainedWhere(text: string): DetainedWhere | undefined {
    return this.firstOf(this.where, text);
  }

  /** Whether a text about a detention says the writer is the one held. */
  detainedSelf(text: string): boolean {
    return this.firstOf(this.self, text) === true;
  }

  /** The text without the words that name a country: what else a query about "Georgia" asks. */
  withoutPlace(text: string): string {
    const read = (w: string[]) => {
      const covered = new Set<number>();
      for (const [, list] of this.places) for (const p of list) for (let at = 0; at < w.length; at++) if (matchesAt(w, at, p)) p.words.forEach((_, i) => covered.add(at + i));
      return covered;
    };
    const original = words(text);
    let covered = read(original);
    if (covered.size === 0 && !hasCyrillic(text)) covered = read(original.map(latinToCyrillic));
    return original.filter((_, i) => !covered.has(i)).join(" ");
  }

  private firstOf<T>(table: readonly [T, Pattern[]][], text: string): T | undefined {
    const read = (w: string[]) => table.find(([, list]) => list.some((p) => w.some((_, at) => matchesAt(w, at, p))))?.[0];
    const direct = read(words(text));
    return direct !== undefined || hasCyrillic(text) ? direct : read(words(text).map(latinToCyrillic));
  }

  private match(raw: string, w: string[]): Recognised | undefined {
    const covered = new Set<number>();
    const symbols = normalize(raw);
    const all: Intent[] = [];
    const found = (intent: Intent) => {
      if (!all.includes(intent)) all.push(intent);
    };
    for (const [intent, list] of this.compiled) {
      for (const p of list) {
        if (p.symbols !== undefined) {
          if (p.symbols !== "" && symbols.includes(p.symbols)) found(intent);
          continue;
        }
        if (p.whole) {
          if (w.length === p.words.length && matchesAt(w, 0, p)) {
            found(intent);
            p.words.forEach((_, i) => covered.add(i));
          }
          continue;
        }
        for (let at = 0; at + p.words.length <= w.length; at++) {
          if (!matchesAt(w, at, p)) continue;
          found(intent);
          for (let i = 0; i < p.words.length; i++) covered.add(at + i);
        }
      }
    }
    if (all.length === 0) return undefined;
    const more = w.filter((word, i) => !covered.has(i) && !this.fillers.has(word) && !STOP_WORDS.ru.has(word) && !STOP_WORDS.en.has(word)).length;
    return { intent: all[0]!, all, more };
  }
}
