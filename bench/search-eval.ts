import type { TopicSearch } from "../src/search/topic-search.js";

export interface LabelledQuery {
  q: string;
  lang: "ru" | "en";
  topics: string[];
}

export interface SearchReport {
  byLang: Record<string, { count: number; top1: number; top3: number }>;
  misses: { q: string; lang: string; expected: string[]; got: string[]; top3: boolean }[];
}

/** Top-1 and top-3 accuracy per language; a query is right when an acceptable topic ranks there. */
export function evaluateSearch(search: TopicSearch, queries: LabelledQuery[]): SearchReport {
  const byLang: SearchReport["byLang"] = {};
  const misses: SearchReport["misses"] = [];
  for (const q of queries) {
    const got = search.search(q.q, q.lang, 10).topics;
    const top1 = q.topics.includes(got[0] ?? "");
    const top3 = got.slice(0, 3).some((t) => q.topics.includes(t));
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
