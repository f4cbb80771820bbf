import MiniSearch, { type SearchResult } from "minisearch";
import snowball from "snowball-stemmers";
import type { Content } from "../content/content.js";
import type { I18n, Lang } from "../i18n.js";
import { htmlToText } from "../telegram/html.js";
import { hasCyrillic, normalize, STOP_WORDS, words } from "./text.js";
import { latinToCyrillic } from "./translit.js";

/**
 * Finds topics for what people actually type: Russian or English, colloquial, misspelled, or
 * Russian in Latin letters. MiniSearch does the ranking (BM25 with fuzzy and prefix matching);
 * Snowball stemmers fold word forms; each topic's synonym list carries the words people use
 * that the text does not (повестка, детеншн, CBP One, I-589…).
 */


const FIELDS = ["title", "button", "description", "synonyms", "body", "notes"] as const;
const BOOST = { title: 2, button: 2, description: 1.2, synonyms: 3, body: 0.4, notes: 0.6 };

/** When the query is empty: the topics most people need first. */
const STARTERS = ["no-program", "leave-russia", "visa-inside", "border", "political-case", "updates", "attorney", "detention", "bond", "fraud"];

export interface SearchOutcome {
  /** The language to answer in. */
  lang: Lang;
  /** Topic ids, best first. */
  topics: string[];
}

interface TopicDoc {
  id: string;
  title: string;
  button: string;
  description: string;
  synonyms: string;
  body: string;
  /** The dated update notes a reader sees on the topic. */
  notes: string;
}

export class TopicSearch {
  /**
   * Each language's index and vocabulary, built at its first search or by `warmUp`, whichever
   * comes first, rather than in the constructor: a build takes 0.1-0.2 s of one core per language
   * (up to half a second just after the process starts), which every in-process test bot and
   * short-lived process paid at start-up whether it searched or not.
   */
  private readonly built: Partial<Record<Lang, { index: MiniSearch<TopicDoc>; vocabulary: Set<string> }>> = {};
  private readonly stemmers = { ru: snowball.newStemmer("russian"), en: snowball.newStemmer("english") };
  private readonly known: Set<string>;

  /** `cacheSize` 0 measures the search itself (npm run bench:search). */
  constructor(
    private readonly content: Content,
    private readonly i18n: I18n,
    private readonly cacheSize = 2_000,
  ) {
    this.known = new Set(content.topics.map((t) => t.id));
  }

  /**
   * Builds both languages `afterMs` from now, one per turn of the event loop, so that the first
   * reader to type after a restart does not wait for it, and no one waits longer than one
   * language's build. The timers keep no process alive. Once `stopping` is aborted nothing more
   * is built: a build holds the event loop (longer when the core is shared) that a stopping bot
   * needs for the commits and calls its shutdown waits for.
   */
  warmUp(afterMs: number, stopping?: AbortSignal): void {
    const next = (langs: readonly Lang[]) => {
      const [lang, ...rest] = langs;
      if (lang === undefined || stopping?.aborted === true) return;
      this.language(lang);
      setImmediate(() => next(rest)).unref();
    };
    const timer = setTimeout(() => next(["ru", "en"]), afterMs).unref();
    stopping?.addEventListener("abort", () => clearTimeout(timer), { once: true });
  }

  private language(lang: Lang): { index: MiniSearch<TopicDoc>; vocabulary: Set<string> } {
    let built = this.built[lang];
    if (built === undefined) built = this.built[lang] = this.build(lang);
    return built;
  }

  private build(lang: Lang): { index: MiniSearch<TopicDoc>; vocabulary: Set<string> } {
    const { content, i18n } = this;
    const vocabulary = new Set<string>();
    const t = i18n.t(lang);
    // The texts repeat their words: stemming each distinct word once makes building the index
    // several times faster. Only here: queries never grow this.
    const stems = new Map<string, string | null>();
    const stem = (term: string) => {
      let s = stems.get(term);
      if (s === undefined) {
        s = this.stem(lang, term);
        stems.set(term, s);
      }
      return s;
    };
    const index = new MiniSearch<TopicDoc>({
      fields: [...FIELDS],
      // Bare numbers (years, ages, timestamps) in the prose match too much; synonyms keep the meaningful ones (I-589, 2025).
      tokenize: (text, field) => (field === "synonyms" ? words(text) : words(text).filter((w) => !/^\d+$/.test(w))),
      processTerm: stem,
      searchOptions: { boost: BOOST, fuzzy: (term) => (term.length <= 3 ? false : term.length <= 6 ? 1 : 0.25), prefix: (term) => term.length >= 4, combineWith: "OR" },
    });
    const docs = content.topics.map((topic) => ({
      id: topic.id,
      title: t(`topics.${topic.id}.title`),
      button: t(`topics.${topic.id}.button`),
      description: t(`topics.${topic.id}.description`),
      synonyms: topic.synonyms[lang].join(" · "),
      body: htmlToText(t(`topics.${topic.id}.body`, { recorded: "" })),
      notes: (topic.kind === "updates" ? content.updates.items : content.notesFor(topic.id))
        .map((item) => htmlToText(`${t(`updates.items.${item.id}.short`)} ${t(`updates.items.${item.id}.text`)}`))
        .join(" · "),
    }));
    index.addAll(docs);
    for (const doc of docs) for (const field of FIELDS) for (const w of words(doc[field])) {
      const s = stem(w);
      if (s !== null) vocabulary.add(s);
    }
    return { index, vocabulary };
  }

  /**
   * Cyrillic queries are answered in Russian. Latin ones are read both as English and as
   * transliterated Russian; whichever reading the topics' vocabulary recognises better wins,
   * and English readings are answered in the user's own language.
   */
  search(query: string, userLang: Lang, limit = 10): SearchOutcome {
    // People ask the same few questions: a bounded cache of answers saves the stemming and ranking.
    const key = `${userLang}|${limit}|${query}`;
    let outcome = this.recent.get(key);
    if (outcome === undefined) {
      outcome = this.find(query, userLang, limit);
      if (this.recent.size >= this.cacheSize) this.recent.clear();
      if (this.cacheSize > 0) this.recent.set(key, outcome);
    }
    return { lang: outcome.lang, topics: [...outcome.topics] };
  }

  private readonly recent = new Map<string, SearchOutcome>();

  private find(query: string, userLang: Lang, limit: number): SearchOutcome {
    const terms = words(query);
    if (terms.length === 0) return { lang: userLang, topics: STARTERS.filter((id) => this.known.has(id)).slice(0, limit) };
    if (hasCyrillic(query)) return { lang: "ru", topics: ids(this.run("ru", this.prepare("ru", terms)), limit) };

    const ru = this.prepare("ru", terms.map(latinToCyrillic));
    const en = this.prepare("en", terms);
    const ruHits = this.recognised("ru", ru);
    const enHits = this.recognised("en", en);
    if (ruHits > enHits) return { lang: "ru", topics: ids(this.run("ru", ru), limit) };
    if (enHits > ruHits) return { lang: userLang, topics: ids(this.run("en", en), limit) };
    // Neither reading is clearly better: merge them, English first on ties.
    const enResults = this.run("en", en);
    const ruResults = this.run("ru", ru);
    const ruWins = (ruResults[0]?.score ?? 0) > (enResults[0]?.score ?? 0) * 1.2;
    return { lang: ruWins ? "ru" : userLang, topics: mergeRankings(enResults, ruResults).slice(0, limit) };
  }

  /** Query words as index terms: stop words dropped, stemmed, and respelled when only a variant is known. */
  private prepare(lang: Lang, terms: string[]): string[] {
    const out: string[] = [];
    for (const term of withoutVisaMarked(lang, terms)) {
      const w = normalize(term);
      if (STOP_WORDS[lang].has(w)) continue;
      for (const extra of ageTerms(lang, w)) out.push(extra);
      const stem = this.stem(lang, w);
      if (stem === null) continue;
      if (this.language(lang).vocabulary.has(stem)) {
        out.push(stem);
        continue;
      }
      const known = respellings(lang, w)
        .map((v) => this.stem(lang, v))
        .find((v): v is string => v !== null && this.language(lang).vocabulary.has(v));
      out.push(known ?? stem);
    }
    return out;
  }

  private run(lang: Lang, terms: string[]): SearchResult[] {
    if (terms.length === 0) return [];
    return this.language(lang).index.search(terms.join(" "), { tokenize: (s) => s.split(" "), processTerm: (t) => t });
  }

  /** How many prepared query terms the topics' vocabulary knows in this language. */
  private recognised(lang: Lang, terms: string[]): number {
    return terms.filter((t) => this.language(lang).vocabulary.has(t)).length;
  }

  private stem(lang: Lang, term: string): string | null {
    const w = normalize(term);
    if (STOP_WORDS[lang].has(w)) return null;
    return /^[\p{L}]+$/u.test(w) ? this.stemmers[lang].stem(w) : w;
  }
}

function ids(results: SearchResult[], limit: number): string[] {
  return results.slice(0, limit).map((r) => r.id as string);
}

/**
 * Spellings people use for the same word, especially in transliteration: a dropped soft sign
 * (izmenilos → изменилось), ш for щ (ubezhishe → убежище), и for ы and е for э.
 */
function respellings(lang: Lang, w: string): string[] {
  if (lang !== "ru") return [];
  return [`${w}ь`, w.replace(/ш/g, "щ"), w.replace(/щ/g, "ш"), w.replace(/и/g, "ы"), w.replace(/ы/g, "и"), w.replace(/е/g, "э"), w.replace(/й/g, "и")].filter((v) => v !== w);
}

/** Words that negate what follows; and the word that a topic's synonyms use for "without a visa". */
const NEGATIONS: Record<Lang, ReadonlySet<string>> = {
  ru: new Set(["нет", "без", "не", "нету", "никакой"]),
  // Apostrophes split words: "don't" arrives as "don" and "t".
  en: new Set(["no", "without", "not", "don", "dont", "doesn", "didn", "haven", "havent", "hasn", "never", "lack"]),
};
const VISA: Record<Lang, RegExp> = { ru: /^виз/, en: /^visas?$/ };
const NO_VISA: Record<Lang, string> = { ru: "безвиз", en: "visaless" };

/**
 * "нет визы", "без визы", "I don't have a visa": a visa that is not there is the opposite of the
 * visa topic. The negation and the visa (up to four words apart) both become a word that the
 * topic for people without a visa lists among its synonyms.
 */
function withoutVisaMarked(lang: Lang, terms: string[]): string[] {
  const words = terms.map(normalize);
  const out = [...words];
  for (let i = 0; i < words.length; i++) {
    if (!VISA[lang].test(words[i]!)) continue;
    const from = Math.max(0, i - 4);
    const negation = words.slice(from, i).findLastIndex((w) => NEGATIONS[lang].has(w));
    if (negation === -1) continue;
    // The negation's place takes the marker too: "without a visa" weighs more than the other words.
    out[from + negation] = NO_VISA[lang];
    out[i] = NO_VISA[lang];
  }
  return out.filter((w) => w !== "");
}

/** "52 года", "I'm 55": an age is a question about who qualifies, whatever the number. */
function ageTerms(lang: Lang, w: string): string[] {
  const n = /^\d{2}$/.test(w) ? Number(w) : NaN;
  return n >= 18 && n <= 90 ? [lang === "ru" ? "возраст" : "age"] : [];
}

function mergeRankings(...lists: SearchResult[][]): string[] {
  const best = new Map<string, number>();
  for (const list of lists) {
    const top = list[0]?.score ?? 1;
    for (const r of list) best.set(r.id as string, Math.max(best.get(r.id as string) ?? 0, r.score / top));
  }
  return [...best.entries()].sort((a, b) => b[1] - a[1]).map(([id]) => id);
}
