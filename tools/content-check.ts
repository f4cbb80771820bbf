/**
 * npm run content:check: loads the content exactly as the bot does, renders every screen in both
 * languages, prints the topics, the longest screens and the age of every update, and exits
 * non-zero on any problem. An old update list is a warning, never a failure: time alone must
 * not break a build.
 */
import { auditContent } from "./content-audit.js";
import { CONTENT_DIR, DEFAULT_CONTENT_STALE_DAYS, LOCALES_DIR } from "../src/app.js";
import { ContentError, loadContent } from "../src/content/content.js";
import { createI18n, readLocales } from "../src/i18n.js";

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}

const staleDays = Number(process.env.CONTENT_STALE_DAYS ?? DEFAULT_CONTENT_STALE_DAYS);

try {
  const i18n = createI18n(readLocales(LOCALES_DIR));
  const content = loadContent(CONTENT_DIR, i18n);
  const report = auditContent({ content, i18n, now: Date.now, settings: { bookingUrl: "https://example.com/book", contentStaleDays: staleDays } });
  console.log(`${pad("topic", 18)} ${pad("kind", 10)} ${pad("ru", 5)} ${pad("en", 5)} cited timestamps`);
  for (const row of report.topics) {
    console.log(`${pad(row.id, 18)} ${pad(row.kind, 10)} ${pad(String(row.length.ru), 5)} ${pad(String(row.length.en), 5)} ${row.cites.join(", ") || "(own sources)"}`);
  }
  console.log(`\n${report.topics.length} topics × 2 languages; ${report.screens} screens checked, ${report.routes} distinct routes; lengths are what the reader sees.`);
  for (const stat of Object.values(report.longest)) console.log(`Longest ${stat.lang} screen: ${stat.name}, ${stat.chars} characters, ${stat.buttons} buttons.`);

  console.log(`\n${pad("update", 24)} ${pad("grade", 11)} ${pad("date", 11)} ${pad("checked", 11)} age`);
  for (const u of report.updates) {
    const shown = u.grade === "unverified" ? " (never shown)" : "";
    console.log(`${pad(u.id, 24)} ${pad(u.grade, 11)} ${pad(u.date ?? "law", 11)} ${pad(u.checked, 11)} ${u.ageDays} days${shown}`);
  }
  if (report.stale.length > 0) {
    console.log(`\nWARNING: ${report.stale.length} shown update(s) were last checked more than ${staleDays} days ago (CONTENT_STALE_DAYS); the bot warns readers until they are re-checked and re-dated (see README, "Keeping the update list current").`);
  }
  console.log(`\nOfficial pages the content names (content/pages.json):`);
  for (const page of content.pages) console.log(`${page.id}: ${page.url}, checked ${page.checked} against ${page.checkedAgainst}`);
  console.log(`\nSourced sentences (the urgent lane and the safety card; content/sourced.json):`);
  for (const s of report.sourced) {
    console.log(`${s.key} (${s.lang}): ${s.text}`);
    for (const d of s.described.length === 0 ? ["NO SOURCE"] : s.described) console.log(`    ← ${d}`);
  }
  for (const a of report.advice) console.log(`advice: ${a}`);
  for (const p of report.problems) console.log(`PROBLEM: ${p}`);
  if (report.problems.length > 0) {
    console.error(`\n${report.problems.length} problem(s) found.`);
    process.exit(1);
  }
  console.log("\nNo problems.");
} catch (error) {
  if (error instanceof ContentError) {
    for (const p of error.problems) console.error(`PROBLEM: ${p}`);
    process.exit(1);
  }
  throw error;
}
