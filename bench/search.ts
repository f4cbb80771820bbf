/**
 * npm run bench:search [files…]: top-1 / top-3 accuracy per language on labelled queries (by default
 * every test/search-queries*.json), and search latency (p50/p99) over many repetitions.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CONTENT_DIR, LOCALES_DIR } from "../src/app.js";
import { loadContent } from "../src/content/content.js";
import { createI18n, readLocales } from "../src/i18n.js";
import { Intents } from "../src/search/intents.js";
import { TopicSearch } from "../src/search/topic-search.js";
import { evaluateSearch, type LabelledQuery } from "../tools/search-eval.js";

const files = process.argv.length > 2 ? process.argv.slice(2) : readdirSync("test").filter((f) => /^search-queries.*\.json$/.test(f)).map((f) => join("test", f));
const load = (file: string) => (JSON.parse(readFileSync(file, "utf8")) as { queries: LabelledQuery[] }).queries;
const i18n = createI18n(readLocales(LOCALES_DIR));
// No answer cache: the latencies below are of the search itself.
const search = new TopicSearch(loadContent(CONTENT_DIR, i18n), i18n, 0);
const intents = Intents.load(join(CONTENT_DIR, "intents.json"));
const queries = files.flatMap(load);
const misses: ReturnType<typeof evaluateSearch>["misses"] = [];
for (const file of files) {
  const report = evaluateSearch(search, intents, load(file));
  misses.push(...report.misses);
  const line = Object.entries(report.byLang).map(([lang, r]) => `${lang} ${r.count}: top-1 ${(r.top1 * 100).toFixed(1)}%, top-3 ${(r.top3 * 100).toFixed(1)}%`);
  console.log(`${file.padEnd(36)} ${line.join("   ")}`);
}
const report = { misses };
const iterations = 50;
const times: number[] = [];
for (let i = 0; i < iterations; i++) {
  for (const q of queries) {
    const start = process.hrtime.bigint();
    search.search(q.q, "en", 10);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
}
times.sort((a, b) => a - b);
const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
console.log(`latency over ${times.length} searches: p50 ${at(0.5).toFixed(3)} ms   p99 ${at(0.99).toFixed(3)} ms   max ${times.at(-1)!.toFixed(3)} ms`);
if (report.misses.length > 0) {
  console.log("\nnot top-1:");
  for (const m of report.misses) console.log(`  [${m.lang}] ${m.q}  → expected ${m.expected.join("|")}, got ${m.got.slice(0, 3).join(", ") || "(nothing)"}${m.top3 ? "" : "   ✗ not in top 3"}`);
}
