/**
 * npm run content:check: loads the content exactly as the bot does, renders every topic, route
 * and question in both languages, prints a table, and exits non-zero on any problem.
 */
import { auditContent } from "../src/audit/content-audit.js";
import { CONTENT_DIR, LOCALES_DIR } from "../src/app.js";
import { ContentError, loadContent } from "../src/content/content.js";
import { createI18n, readLocales } from "../src/i18n.js";

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}

try {
  const i18n = createI18n(readLocales(LOCALES_DIR));
  const content = loadContent(CONTENT_DIR, i18n);
  const report = auditContent({ content, i18n });
  console.log(`${pad("topic", 18)} ${pad("kind", 10)} ${pad("ru", 5)} ${pad("en", 5)} cited timestamps`);
  for (const row of report.topics) {
    console.log(`${pad(row.id, 18)} ${pad(row.kind, 10)} ${pad(String(row.length.ru), 5)} ${pad(String(row.length.en), 5)} ${row.cites.join(", ") || "(own sources)"}`);
    for (const note of row.notes) console.log(`${" ".repeat(20)}note: ${note}`);
    for (const problem of row.problems) console.log(`${" ".repeat(20)}PROBLEM: ${problem}`);
  }
  console.log(`\n${report.topics.length} topics × 2 languages; screen lengths are what the reader sees (limit 4096).`);
  console.log(`${report.routes} distinct guided routes checked; longest: ru ${report.longestRoute.ru}, en ${report.longestRoute.en} characters.`);
  const others = report.problems.filter((p) => !p.startsWith("topic "));
  for (const p of others) console.log(`PROBLEM: ${p}`);
  if (report.problems.length > 0) {
    console.error(`\n${report.problems.length} problem(s) found.`);
    process.exit(1);
  }
  console.log("No problems.");
} catch (error) {
  if (error instanceof ContentError) {
    for (const p of error.problems) console.error(`PROBLEM: ${p}`);
    process.exit(1);
  }
  throw error;
}
