import type { Lang } from "../src/i18n.js";
import { answerQuery, LAWYER, URGENT_CARDS } from "../src/search/answer.js";
import type { Intents } from "../src/search/intents.js";
import type { TopicSearch } from "../src/search/topic-search.js";

export interface LabelledQuery {
  q: string;
  lang: Lang;
  /** Acceptable answers, best first: topic ids, or "lawyer" for the "Talk to a lawyer" card. */
  topics: string[];
}

export interface SearchReport {
  byLang: Record<string, { count: number; top1: number; top3: number }>;
  misses: { q: string; lang: string; expected: string[]; got: string[]; top3: boolean }[];
}

/**
 * Top-1 and top-3 accuracy per language of what inline mode answers: the topics and the lawyer
 * card, in its order. Where a query's label is the attorney topic, the lawyer card is right too:
 * both answer "I need a lawyer".
 */
export function evaluateSearch(search: TopicSearch, intents: Intents, queries: LabelledQuery[]): SearchReport {
  const byLang: SearchReport["byLang"] = {};
  const misses: SearchReport["misses"] = [];
  for (const q of queries) {
    // The urgent lane's cards come before the topics for someone detained or without money; the labels rank the topics and the lawyer.
    const got = answerQuery(search, intents, q.q, q.lang, 10).ids.filter((id) => !URGENT_CARDS.has(id));
    const acceptable = q.topics.includes("attorney") ? [...q.topics, LAWYER] : q.topics;
    const top1 = acceptable.includes(got[0] ?? "");
    const top3 = got.slice(0, 3).some((t) => acceptable.includes(t));
    const r = (byLang[q.lang] ??= { count: 0, top1: 0, top3: 0 });
    r.count++;
    if (top1) r.top1++;
    if (top3) r.top3++;
    if (!top1) misses.push({ q: q.q, lang: q.lang, expected: q.topics, got, top3 });
  }
  for (const r of Object.values(byLang)) {
    r.top1 /= r.count;
    r.top3 /= r.count;
  }
  return { byLang, misses };
}
