import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CONTENT_DIR } from "../src/app.js";
import { encodeAnswers, forOther, nextQuestion } from "../src/bot/features/guided/answers.js";
import { routeSteps } from "../src/bot/features/guided/route.js";
import type { Content } from "../src/content/content.js";
import { createI18n, localeKeys, readLocales } from "../src/i18n.js";
import { LOCALES_DIR } from "../src/app.js";
import { everyAnswerCombination, MENTIONS } from "../tools/content-audit.js";
import { languageProblems, readGlossary } from "../tools/content-language.js";
import { copyProblems, gradeProblems, readVerifiedList } from "../tools/verified-list.js";
import { startTestBot, type TestBot } from "./support/harness.js";
import { notesOn, upTo } from "./support/notes.js";
import { texts, type Texts } from "./support/texts.js";

/**
 * The content rules of issue 17, by key: notes chosen by what a step says, conditions kept in
 * short forms, "sources up to" on every screen with notes, labels that follow the grade the
 * verified list gives, and the Russian glossary.
 */

let tb: TestBot;
let started = false;
afterEach(async () => {
  if (!started) return;
  started = false;
  expect(tb.tg.rejected, "Bot API calls rejected").toEqual([]);
  await tb.close();
});

async function start(): Promise<TestBot> {
  tb = await startTestBot();
  started = true;
  return tb;
}

const SOURCE = join(CONTENT_DIR, "source");

/** The label a note line carries for its item: "(reported)", "(not re-checked)", or nothing for a confirmed, re-checked item. */
function noteLabel(content: Content, t: Texts, id: string): string {
  const item = content.updates.all.find((i) => i.id === id)!;
  const labels = [...(item.grade === "confirmed" ? [] : [t(`common.grades.${item.grade}`)]), ...(item.rechecked === false ? [t("common.notRechecked")] : [])];
  return labels.length === 0 ? "" : ` (${labels.join(", ")})`;
}

/** Every note line on a screen ends with an item's short text; its label must follow that item's grade. */
function expectLabels(content: Content, t: Texts, text: string, where: string) {
  for (const line of text.split("\n").filter((l) => l.startsWith("• "))) {
    const id = notesOn(content, line, t)[0];
    if (id === undefined) continue;
    expect(line.slice(0, line.indexOf(": ")), `${where}: ${id}`).toMatch(new RegExp(`${noteLabel(content, t, id).replace(/[()]/g, "\\$&")}$`));
  }
}

describe("the content rules, through the bot", () => {
  it("every route and its details, in both languages: fee notes on every fee step, 'sources up to' with the notes, labels that follow the grade", async () => {
    tb = await start();
    const content = tb.app.deps.content;
    const seen = new Set<string>();
    let feeSteps = 0;
    for (const answers of everyAnswerCombination()) {
      if (nextQuestion(answers) !== undefined) continue;
      const keys = routeSteps(answers);
      const key = `${forOther(answers)}|${keys.join(",")}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const code = encodeAnswers(answers);
      for (const lang of ["ru", "en"] as const) {
        const t = texts(lang);
        const own = forOther(answers) ? "stepsOther" : "steps";
        const user = tb.user({ language_code: lang });
        await user.send("/start");
        await user.pressData(`R:${code}`);
        const route = user.lastBotMessage()!.text!;
        const details: string[] = [];
        for (let page = 1; ; page++) {
          await user.pressData(page === 1 ? `Rd:${code}` : `Rd:${code}:${page}`);
          const text = user.lastBotMessage()!.text!;
          if (details.length > 0 && (text === details.at(-1) || !text.includes(t("route.detailsTitle").split(":")[0]!))) break;
          details.push(text);
          if (!user.buttons().some((b) => b.text === t("buttons.nextPage"))) break;
        }
        for (const [where, text] of [["route", route], ...details.map((d, i) => [`details ${i + 1}`, d] as const)] as const) {
          const notes = notesOn(content, text, t);
          if (notes.length > 0) expect(text, `${lang} ${where} ${code}`).toContain(t("route.notesHeader", { month: upTo(content, lang, notes) }));
          expectLabels(content, t, text, `${lang} ${where} ${code}`);
        }
        // A step that mentions fees carries the fee note, on the route and on its details.
        for (const step of keys) {
          const text = ["lead", "more"].map((part) => t(`route.${own}.${step}.${part}`)).join(" ");
          for (const mention of MENTIONS.filter((m) => m.words[lang].test(text))) {
            feeSteps++;
            const short = t(`updates.items.${mention.keep}.short`);
            expect(route, `${lang} route ${code}: ${step}`).toContain(short);
            expect(details.join("\n"), `${lang} details ${code}: ${step}`).toContain(short);
          }
        }
      }
    }
    expect(seen.size).toBeGreaterThan(100);
    expect(feeSteps).toBeGreaterThan(50);
  }, 300_000);

  it("every topic with notes says how far their sources run, and labels each note by its grade", async () => {
    tb = await start();
    const content = tb.app.deps.content;
    for (const lang of ["ru", "en"] as const) {
      const t = texts(lang);
      const user = tb.user({ language_code: lang });
      for (const topic of content.topics.filter((x) => x.notes.length > 0)) {
        await user.send(`/start ${lang}-${topic.id}`);
        const text = user.lastBotMessage()!.text!;
        expect(text, `${lang} ${topic.id}`).toContain(t("common.notesHeader", { month: upTo(content, lang, topic.notes) }));
        expect(text).not.toMatch(lang === "en" ? /\(checked \d/ : /\(проверено \d/);
        expectLabels(content, t, text, `${lang} ${topic.id}`);
      }
    }
  });
});

describe("the content rules, in the content", () => {
  const i18n = createI18n(readLocales(LOCALES_DIR));

  it("every short form keeps the condition of its full text, in both languages", () => {
    let conditions = 0;
    for (const lang of ["ru", "en"] as const) {
      const t = texts(lang);
      for (const key of localeKeys(i18n.resources[lang]).filter((k) => k.endsWith(".condition"))) {
        const base = key.slice(0, -".condition".length);
        const condition = t(key).toLowerCase();
        const forms = base.startsWith("updates.") ? ["short", "text"] : ["description", "body"];
        for (const form of forms) expect(t(`${base}.${form}`, { recorded: "" }).toLowerCase(), `${lang} ${base}.${form}`).toContain(condition);
        conditions++;
      }
    }
    // The ones the audit found lost, among others: Astana or Warsaw only without legal residence elsewhere.
    expect(texts("en")("updates.items.interviews-abroad.condition")).toBe("without legal residence in another country");
    expect(conditions).toBeGreaterThan(20);
  });

  it("an item's grade is the verified list's, and a mismatch is caught", async () => {
    tb = await start();
    const list = readVerifiedList(join(SOURCE, "updates-2026-11.md"));
    const items = tb.app.deps.content.updates.all;
    expect(gradeProblems(items, list)).toEqual([]);
    // The proclamation ruling is confirmed in the list (three sources), so it is not labelled "reported".
    expect(items.find((i) => i.id === "proclamation-ruling")!.grade).toBe("confirmed");
    const wrong = items.map((i) => (i.id === "proclamation-ruling" ? { ...i, grade: "likely" as const } : i.id === "one-year" ? { ...i, rechecked: true } : i));
    expect(gradeProblems(wrong, list)).toEqual([
      expect.stringContaining('"proclamation-ruling": graded likely, but the verified list (1d) grades "the ruling date and authorship'),
      expect.stringContaining('"one-year": the verified list (A1) says it was not re-checked'),
    ]);
  });

  it("a source link the verified list calls a copy ('via mirror', 'via CityNews Toronto') names the site it is on, and only those do", async () => {
    tb = await start();
    const path = join(SOURCE, "updates-2026-11.md");
    const items = tb.app.deps.content.updates.all;
    expect(copyProblems(items, path)).toEqual([]);
    const unmarked = items.map((i) => (i.id === "uscis-hold" ? { ...i, sources: i.sources.map(({ copyAt: _, ...s }) => s) } : i));
    expect(copyProblems(unmarked, path)).toEqual([expect.stringContaining('"uscis-hold": the verified list calls https://localnewswave.com/')]);
    // "seen via" names where an original link was read: not a copy.
    const marked = items.map((i) => (i.id === "turn-backs" ? { ...i, sources: i.sources.map((s) => ({ ...s, copyAt: "scour.ing" })) } : i));
    expect(copyProblems(marked, path)).toEqual([expect.stringContaining('"turn-backs": copyAt is set for https://www.scotusblog.com/')]);
  });

  it("the glossary holds: no rejected term and no stray English on a Russian screen, no Russian on an English one; a planted one is caught", async () => {
    tb = await start();
    const glossary = readGlossary(join(SOURCE, "CONTENT-GUIDE.md"));
    for (const term of ["юрист", "сводка", "пароль", "офицер", "о страхе", "без досмотра", "пошлин", "выдворени"]) expect(glossary.rejected.map((r) => r.term)).toContain(term);
    expect(languageProblems(i18n, tb.app.deps.content, glossary)).toEqual([]);
    const ru = i18n.resources.ru as { free: Record<string, string> };
    const planted = createI18n({ ru: { ...i18n.resources.ru, free: { ...ru.free, call: "Юристы фирмы ответят, citing the firm." } }, en: i18n.resources.en });
    expect(languageProblems(planted, tb.app.deps.content, glossary)).toEqual([expect.stringContaining("«юрист» is rejected"), expect.stringContaining("English on a Russian screen: citing")]);
  });
});
