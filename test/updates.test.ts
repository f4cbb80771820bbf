import { afterEach, describe, expect, it } from "vitest";
import { htmlToText } from "../src/telegram/html.js";
import { startTestBot, type TestBot } from "./support/harness.js";
import { labelsOf, upTo } from "./support/notes.js";
import { en, firstLine, ru, texts } from "./support/texts.js";

let tb: TestBot;
afterEach(async () => {
  const bot = tb as TestBot | undefined;
  if (bot === undefined) return;
  expect(bot.tg.rejected, "Bot API calls rejected").toEqual([]);
  await bot.close();
  tb = undefined as unknown as TestBot;
});

/** Every page of every subject, in one language, as the reader sees them, each with its sources screen. */
async function readAllPages(lang: "ru" | "en") {
  const t = texts(lang);
  const user = tb.user({ language_code: lang });
  await user.send("/updates");
  const message = user.lastBotMessage()!;
  const subjects = user.buttons(message).filter((b) => "callback_data" in b && b.callback_data.startsWith("u:"));
  const pages: { group: string; text: string; sources: string }[] = [];
  for (const subject of subjects) {
    const group = (subject as { callback_data: string }).callback_data.split(":")[1]!;
    await user.pressData((subject as { callback_data: string }).callback_data, message);
    for (;;) {
      const text = message.text!;
      await user.press(t("buttons.sources"));
      const sources = message.text!;
      await user.press(t("buttons.back"));
      expect(message.text).toBe(text);
      pages.push({ group, text, sources });
      const next = user.buttons(message).find((b) => b.text === t("buttons.nextPage"));
      if (next === undefined) break;
      await user.pressData((next as { callback_data: string }).callback_data, message);
    }
    await user.press(t("buttons.back"));
  }
  return { user, message, pages, subjects };
}

const publisher = (source: { publisher: string | { en: string; ru: string } }, lang: "ru" | "en") => (typeof source.publisher === "string" ? source.publisher : source.publisher[lang]);

describe("what has changed since 2022", () => {
  it.each(["ru", "en"] as const)("%s: every shown item is one short line with its date and grade, once, under its subject, newest first; its sources one tap away; none unverified", async (lang) => {
    tb = await startTestBot();
    const t = texts(lang);
    const updates = tb.app.deps.content.updates;
    const { pages, subjects } = await readAllPages(lang);
    expect(subjects.map((b) => b.text)).toEqual(updates.groups.map((g) => `${t(`updates.groups.${g}`)} (${updates.inGroup(g).length})`));
    const all = pages.map((p) => p.text).join("\n");
    for (const item of updates.all) {
      const short = t(`updates.items.${item.id}.short`);
      if (item.grade === "unverified") {
        expect(all, item.id).not.toContain(short === `updates.items.${item.id}.short` ? (item.sources[0]!.publisher as string) : short);
        continue;
      }
      const page = pages.find((p) => p.text.includes(short));
      expect(page, `${lang} ${item.id}`).toBeDefined();
      expect(page!.group).toBe(item.group);
      expect(pages.filter((p) => p.text.includes(short))).toHaveLength(1);
      // One line: "n. date · grade: short"; the grade's label follows the grade, and "not re-checked" is said.
      const line = page!.text.split("\n").find((l) => l.endsWith(short))!;
      const n = /^(\d+)\. /.exec(line)![1];
      const labels = labelsOf(tb.app.deps.content, t, lang, item.id, true).join(", ");
      expect(line).toContain(` · ${labels}: `);
      // A confirmed item not re-checked is never "confirmed, not re-checked": one label that says as of when.
      expect(line).not.toMatch(lang === "en" ? /confirmed, not re-checked/ : /подтверждено, не перепроверено/);
      if (item.date === null) expect(line.startsWith(`${n}. ${t("common.law")}`), item.id).toBe(true);
      // The sources are not on the page, but on its sources screen, numbered alike, with whom the item concerns.
      for (const source of item.sources) expect(page!.text).not.toContain(`${publisher(source, lang)},`);
      const entry = page!.sources.split("\n").find((l) => l.startsWith(`${n}. `))!;
      expect(entry.startsWith(`${n}. ${t("common.for")}: `)).toBe(true);
      for (const situation of item.situations) expect(entry).toContain(t(`updates.situations.${situation}`));
      for (const source of item.sources) expect(entry).toContain(publisher(source, lang));
    }
    // Numbered across a subject's pages, as its button counts them: 1 to n, none twice.
    for (const group of updates.groups) {
      const numbers = pages.filter((p) => p.group === group).flatMap((p) => [...p.text.matchAll(/^(\d+)\. /gm)].map((m) => Number(m[1])));
      expect(numbers, `${lang} ${group}`).toEqual(updates.inGroup(group).map((_, i) => i + 1));
    }
    // Newest first within each subject: the entries' order matches the dates.
    for (const group of updates.groups) {
      const order = updates.inGroup(group).map((i) => all.indexOf(t(`updates.items.${i.id}.short`)));
      expect(order, group).toEqual([...order].sort((a, b) => a - b));
      const dates = updates.inGroup(group).map((i) => i.date ?? "");
      expect(dates, group).toEqual([...dates].sort().reverse());
    }
  });

  it("no page is longer than a card, and every page of a subject says alike how far its items run, that the list was compiled on 29 Nov 2026, and that its sources mostly end in mid-2026", async () => {
    tb = await startTestBot();
    const content = tb.app.deps.content;
    for (const lang of ["ru", "en"] as const) {
      const t = texts(lang);
      const { pages } = await readAllPages(lang);
      for (const page of pages) {
        // As short as a card where the items allow: the pages that ran to 1,300-1,500 characters are split.
        expect(page.text.length, `${lang} ${page.group}`).toBeLessThanOrEqual(1200);
        expect(page.sources.length, `${lang} ${page.group} sources`).toBeLessThanOrEqual(1500);
        // One statement for the whole subject, at least as recent as every item it shows (dates included, not only sources).
        const month = upTo(content, lang, content.updates.inGroup(page.group).map((i) => i.id));
        for (const screen of [page.text, page.sources]) {
          expect(screen).toContain(t("common.listDates", { month, date: lang === "en" ? "29 Nov 2026" : "29 ноября 2026 г." }));
          expect(screen.split(lang === "en" ? "run up to" : "записей — на").length, `${lang} ${page.group}: one "as of" per screen`).toBe(2);
        }
      }
      expect(t("common.listDates", { month: "", date: "" })).toMatch(lang === "en" ? /mostly end in mid-2026/ : /в основном заканчиваются серединой 2026 года/);
      expect(pages.length).toBeGreaterThan(tb.app.deps.content.updates.groups.length);
    }
  });

  it("an item dated after its sources (announced in April, in force in May) makes the screen's sources run to May, not April", async () => {
    tb = await startTestBot();
    const item = tb.app.deps.content.updates.all.find((i) => i.id === "fee-rejection")!;
    expect(item.date).toBe("2026-05-29");
    expect(item.sources.every((s) => (s.date ?? "") < "2026-05")).toBe(true);
    expect(upTo(tb.app.deps.content, "ru", ["fee-rejection"])).toBe("май 2026 г.");
    const user = tb.user({ language_code: "ru" });
    await user.send("/start");
    // Someone in the US: the route's reasons include the fee rule of 29 May 2026.
    await user.pressData("R:mu..npn.");
    const text = user.lastBotMessage()!.text!;
    expect(text).toContain(ru("updates.items.fee-rejection.short"));
    expect(text).not.toContain("источники — на апрель 2026 г.");
  });

  it("dates are unambiguous: day and month in words, never 02/12/2025", async () => {
    tb = await startTestBot();
    for (const lang of ["ru", "en"] as const) {
      const { pages } = await readAllPages(lang);
      const all = pages.map((p) => `${p.text}\n${p.sources}`).join("\n");
      expect(all).not.toMatch(/\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b/);
      expect(all).toContain(lang === "en" ? "25 Jun 2026" : "25 июня 2026 г.");
      // English months are three letters, September too: "6 Sep 2025", never "6 Sept 2025".
      if (lang === "en") {
        expect(all).toContain("6 Sep 2025");
        expect(all).not.toMatch(/\bSept\b/);
      }
    }
  });

  it("the long-standing one-year deadline is labelled as law not re-checked, in words that doubt the check, not the law", async () => {
    tb = await startTestBot();
    for (const [lang, t] of [["en", en], ["ru", ru]] as const) {
      const user = tb.user({ language_code: lang });
      await user.send(`/start ${lang}-visa-inside`);
      expect(user.lastBotMessage()!.text).toContain(`• ${t("common.law")} (${t("common.lawNotRechecked")}): ${t("updates.items.one-year.short")}`);
    }
    // Safety pin: the verified list says "law unchanged in the sources"; the label says so.
    expect(en("common.lawNotRechecked")).toMatch(/^unchanged in the sources/);
    expect(ru("common.lawNotRechecked")).toMatch(/^по источникам не менялся/);
  });

  it("Back from a page returns to the subjects, and from there to where the reader came from", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "ru" });
    await user.send("/start");
    await user.press(ru("buttons.updates"));
    await user.press(ru("updates.groups.russia"));
    expect(firstLine(user.lastBotMessage()!.text!).startsWith(ru("updates.groups.russia"))).toBe(true);
    await user.press(ru("buttons.back"));
    expect(firstLine(user.lastBotMessage()!.text!)).toBe(ru("topics.updates.title"));
    await user.press(ru("buttons.back"));
    expect(firstLine(user.lastBotMessage()!.text!)).toBe(firstLine(ru("start.menu", { disclaimer: "" })));
  });
});

describe("content that knows its age", () => {
  const CHECKED = Date.UTC(2026, 10, 29, 12);
  const DAY = 86_400_000;

  it("the updates, every route, every topic with notes and the offline guide warn once the list is older than CONTENT_STALE_DAYS, and not before", async () => {
    let now = CHECKED + 90 * DAY;
    tb = await startTestBot({ now: () => now, contentStaleDays: 90 });
    const staleLine = (lang: "ru" | "en") => texts(lang)("common.stale", { date: lang === "en" ? "29 Nov 2026" : "29 ноября 2026 г.", days: 90 });
    const screens = async (lang: "ru" | "en") => {
      const user = tb.user({ language_code: lang });
      await user.send("/updates");
      await user.press(texts(lang)("updates.groups.border"));
      const page = user.lastBotMessage()!.text!;
      await user.send(`/start ${lang}-bond`);
      const topic = user.lastBotMessage()!.text!;
      await user.send("/start");
      await user.pressData("R:mrn.-pna");
      const route = user.lastBotMessage()!.text!;
      await user.pressData(`og:${lang}`);
      const guide = htmlToText(user.lastBotMessage()!.document!.content.toString("utf8").replace(/^[\s\S]*<body>|<\/body>[\s\S]*$/g, "").replace(/<(?!\/?(?:b|i|a)\b)[^>]+>/g, "").replace(/<a [^>]+>|<\/a>/g, ""));
      await user.send("/updates");
      const index = user.lastBotMessage()!.text!;
      return { index, page, topic, route, guide };
    };
    for (const lang of ["ru", "en"] as const) for (const [name, text] of Object.entries(await screens(lang))) expect(text, `${lang} ${name} at 90 days`).not.toContain(staleLine(lang));
    now = CHECKED + 91 * DAY;
    for (const lang of ["ru", "en"] as const) for (const [name, text] of Object.entries(await screens(lang))) expect(text, `${lang} ${name} at 91 days`).toContain(staleLine(lang));
  });
});
