import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CONTENT_DIR, LOCALES_DIR } from "../src/app.js";
import { loadContent } from "../src/content/content.js";
import { createI18n, readLocales } from "../src/i18n.js";
import { readTyped, typedLabel } from "../src/search/answer.js";
import { Intents } from "../src/search/intents.js";
import { TopicSearch } from "../src/search/topic-search.js";
import { evaluateTyped, type TypedMessage } from "../tools/typed-eval.js";
import { startTestBot, type TestBot } from "./support/harness.js";
import { firstLine, ru, texts } from "./support/texts.js";

const i18n = createI18n(readLocales(LOCALES_DIR));
const search = new TopicSearch(loadContent(CONTENT_DIR, i18n), i18n);
const intents = Intents.load(join(CONTENT_DIR, "intents.json"));
const messages = (JSON.parse(readFileSync("test/typed-messages.json", "utf8")) as { messages: TypedMessage[] }).messages;

let tb: TestBot | undefined;
afterEach(async () => {
  expect(tb?.tg.rejected ?? [], "Bot API calls rejected").toEqual([]);
  await tb?.close();
  tb = undefined;
});

describe("the labelled typed messages", () => {
  it("are at least 120, split evenly between the languages and between intents and topics", () => {
    expect(messages.length).toBeGreaterThanOrEqual(120);
    const ru = messages.filter((m) => m.lang === "ru").length;
    expect(ru).toBe(messages.length - ru);
    const topics = messages.filter((m) => m.label.startsWith("topic:")).length;
    expect(Math.abs(topics - (messages.length - topics))).toBeLessThanOrEqual(14);
  });

  // Before tuning (issue 16): 56.7% Russian, 55.2% English. With the second batch (reader report 1), before: 85.2% and 86.4%.
  // With the third (reader report 4), before: 93.9% and 94.9%; now 99.0% both.
  // Floors at what the matcher reaches now (README).
  it("are read right: every intent with the same reach in Russian and English", () => {
    const report = evaluateTyped(messages, (text, lang) => typedLabel(readTyped(search, intents, text, lang)));
    expect(report.byLang.ru!.accuracy, JSON.stringify(report.misses)).toBeGreaterThanOrEqual(0.98);
    expect(report.byLang.en!.accuracy, JSON.stringify(report.misses)).toBeGreaterThanOrEqual(0.97);
    // The same intents are understood in both languages.
    const intentsOf = (lang: string) => new Set(messages.filter((m) => m.lang === lang && !m.label.startsWith("topic:")).map((m) => m.label));
    expect([...intentsOf("ru")].sort()).toEqual([...intentsOf("en")].sort());
  });
});

describe("typed text, through the bot", () => {
  it.each([
    ["ru", "удалите мои данные"],
    ["en", "delete my data"],
  ] as const)("%s %j gets the /forget confirmation, and it deletes", async (lang, typed) => {
    tb = await startTestBot();
    const t = texts(lang);
    const user = tb.user({ language_code: lang });
    await user.send(typed);
    expect(user.lastBotMessage()!.text).toContain(t("privacy.forgetAsk"));
    await user.press(t("buttons.forgetConfirm"));
    expect(user.lastBotMessage()!.text).toBe(t("privacy.forgetDone"));
    // After /forget, a button starts again.
    await user.press(t("privacy.restart"));
    expect(firstLine(user.lastBotMessage()!.text!)).toBe(firstLine(t("start.menu", { disclaimer: "" })));
  });

  it.each([
    ["ru", "вы настоящий адвокат?"],
    ["en", "are you a bot?"],
  ] as const)("%s %j gets an honest answer and the lawyer", async (lang, typed) => {
    tb = await startTestBot();
    const t = texts(lang);
    const user = tb.user({ language_code: lang });
    await user.send(typed);
    const text = user.lastBotMessage()!.text!;
    expect(firstLine(text)).toBe(t("free.bot"));
    expect(text).toContain(t("handoff.title"));
    expect(text).toContain("+1 646-859-0205");
  });

  it.each([
    ["ru", "это бесплатно?"],
    ["en", "is it free?"],
  ] as const)("%s %j gets what firm.json says about the cost, and the free-help list beside it", async (lang, typed) => {
    tb = await startTestBot();
    const t = texts(lang);
    const user = tb.user({ language_code: lang });
    await user.send(typed);
    expect(firstLine(user.lastBotMessage()!.text!)).toBe(t("free.price"));
    expect(user.lastBotMessage()!.text).toContain(t("handoff.costUnknown"));
    await user.press(t("buttons.freeHelp"));
    expect(user.lastBotMessage()!.signature).toContain('href="https://www.justice.gov/eoir/list-pro-bono-legal-service-providers"');
  });

  it.each([
    ["ru", "Здравствуйте. Мой сын уехал в Казахстан, а из военкомата звонят каждый день и спрашивают, где он. Что мне делать?"],
    ["ru", "пишу за мужа"],
    ["ru", "племянник хочет уехать"],
    ["en", "my son got a draft notice"],
  ] as const)("%s %j is offered the relative's path", async (lang, typed) => {
    tb = await startTestBot();
    const t = texts(lang);
    const user = tb.user({ language_code: lang });
    await user.send(typed);
    expect(user.lastBotMessage()!.text).toBe(t("free.relative"));
    expect(user.buttons()[0]!.text).toBe(t("buttons.relative"));
    await user.press(t("buttons.relative"));
    expect(user.lastBotMessage()!.text).toContain(t("guided.questions.loc.textOther"));
  });

  it("nothing typed is stored or logged, whatever it leads to", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "ru" });
    for (const secret of ["сын Тимофей Загадочный задержан 778899", "удалите мои данные, Загадочный", "я в Грузии, Загадочный 778899"]) await user.send(secret);
    await tb.flush();
    const stored = (await tb.rows("records")).map((r) => r.value).join("\n");
    for (const part of ["Тимофей", "Загадочный", "778899", "Грузии"]) {
      expect(stored).not.toContain(part);
      expect(tb.logs.text).not.toContain(part);
    }
  });
});

describe("a country in typed text or an inline query", () => {
  it.each([
    ["ru", "я в Грузии без визы что делать", "Грузия"],
    ["ru", "Сербия", "Сербия"],
    ["ru", "сейчас в Турции", "Турция"],
    ["ru", "живу в Армении", "Армения"],
    ["ru", "v gruzii", "Грузия"],
    ["en", "I'm in Georgia with no visa", "Georgia"],
    ["en", "Israel", "Israel"],
    ["en", "stuck in Argentina", "Argentina"],
    ["en", "we are in Mexico", "Mexico"],
    ["en", "Montenegro", "Montenegro"],
    ["en", "dubai", "the UAE"],
  ] as const)("%s %j: the card for someone in a third country, not the 2022 border card", async (lang, typed, country) => {
    tb = await startTestBot();
    const t = texts(lang);
    const user = tb.user({ language_code: lang });
    await user.send(typed);
    const text = user.lastBotMessage()!.text!;
    expect(firstLine(text)).toBe(t("place.title"));
    expect(text).toContain(t("place.named", { country }));
    expect(text).toContain(t("place.first"));
    // The notes that apply in any third country, dated; nothing invented about this one.
    expect(text).toContain(t("updates.items.turn-backs.short"));
    expect(user.buttons()[0]!.text).toBe(t("buttons.guided"));
  });

  it.each([
    ["ru", "мы в Казахстане", "Казахстан", "Астане"],
    ["en", "I'm in Kazakhstan without a visa", "Kazakhstan", "Astana"],
  ] as const)("%s %j: the one thing the sources say of the country, where its US embassy holds Russians' visa interviews, instead of 'nothing about this country'", async (lang, typed, country, city) => {
    tb = await startTestBot();
    const t = texts(lang);
    const user = tb.user({ language_code: lang });
    await user.send(typed);
    const text = user.lastBotMessage()!.text!;
    expect(text).toContain(t("place.namedInterviews", { country, city }));
    expect(text).not.toContain(t("place.named", { country }));
    // What it refers to: the dated rule below, on the same card.
    expect(text).toContain(t("place.visa").split("\n")[0]!.slice(0, 40));
  });

  it("inline: a country puts the third-country card first, in the query's language", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    for (const [q, lang, country] of [["грузия", "ru", "Грузия"], ["serbia", "en", "Serbia"], ["kazakhstan", "en", "Kazakhstan"]] as const) {
      const results = await user.inline(q);
      expect(results[0]!.id, q).toBe(`${lang}:abroad`);
      expect(results[0]!.title).toBe(texts(lang)("inline.abroadTitle"));
      expect(results[0]!.input_message_content.message_text).toContain(country);
      expect(results.some((r) => r.id.endsWith(":lawyer"))).toBe(true);
    }
  });
});

describe("typed text that one screen answers", () => {
  let shared: TestBot | undefined;
  beforeAll(async () => {
    shared = await startTestBot();
  });
  afterAll(async () => {
    expect(shared?.tg.rejected ?? [], "Bot API calls rejected").toEqual([]);
    await shared?.close();
  });
  const EOIR = 'href="https://www.justice.gov/eoir/list-pro-bono-legal-service-providers"';

  it.each([
    ["ru", "нет денег на адвоката"],
    ["ru", "у меня нет денег на адвоката"],
    ["en", "I have no money for a lawyer"],
    ["en", "I can't afford a lawyer"],
  ] as const)("%s %j: the free-help list at once, saying whom it serves and that nothing is named for anyone abroad, with the firm beside it", async (lang, typed) => {
    const t = texts(lang);
    const user = shared!.user({ language_code: lang });
    await user.send(typed);
    const message = user.lastBotMessage()!;
    expect(firstLine(message.text!)).toBe(t("urgent.free.title"));
    expect(message.signature).toContain(EOIR);
    const [, inCourt, abroad] = t("urgent.free.body", { url: "https://example.org/", address: "example.org", checked: "1 January 2026" }).split("\n");
    expect(message.text).toContain(inCourt);
    expect(message.text).toContain(abroad);
    expect(message.text).toContain("+1 646-859-0205");
    expect(user.buttons()[0]!.text).toBe(t("buttons.lawyer"));
  });

  it.each([
    ["en", "one year deadline"],
    ["en", "I've been in the US almost a year, is it too late"],
    ["ru", "прошел почти год как я в США"],
    ["ru", "срок подачи"],
  ] as const)("%s %j: the one-year filing rule, dated as long-standing law with its sources, the attorney first, the route", async (lang, typed) => {
    const t = texts(lang);
    const user = shared!.user({ language_code: lang });
    await user.send(typed);
    const text = user.lastBotMessage()!.text!;
    expect(firstLine(text)).toBe(t("answer.deadline.title"));
    expect(text).toContain(t("updates.items.one-year.text"));
    expect(text).toContain(t("common.law"));
    expect(text).toContain(t("answer.deadline.call"));
    expect(user.buttons().map((b) => b.text).slice(0, 2)).toEqual([t("buttons.lawyer"), t("buttons.guided")]);
  });

  it.each([
    ["ru", "я на границе с мексикой с женой и детьми"],
    ["ru", "мы уже в Тихуане, что дальше"],
    ["en", "we are at the mexican border with two kids"],
  ] as const)("%s %j: the border warning with every dated note, then the route; not a list of topics", async (lang, typed) => {
    const t = texts(lang);
    const user = shared!.user({ language_code: lang });
    await user.send(typed);
    const text = user.lastBotMessage()!.text!;
    expect(firstLine(text)).toBe(t("answer.atBorder.lead"));
    expect(text).toContain(t("topics.border.title"));
    for (const item of shared!.app.deps.content.notesFor("border")) expect(text, item.id).toContain(t(`updates.items.${item.id}.short`));
    expect(text).toContain(t("answer.atBorder.route"));
    expect(user.buttons()[0]!.text).toBe(t("buttons.guided"));
    expect(user.buttons().map((b) => b.text)).toContain(t("buttons.lawyer"));
  });

  it.each([
    ["ru", "я на границе с Россией, с семьёй, выпустят ли"],
    ["ru", "мы на границе, на выезде из России"],
    ["en", "I'm at the border, leaving Russia with my family"],
    // Russia's neighbours: at the border «с Грузией» is the queue out of Russia.
    ["ru", "мы на границе с Грузией с детьми"],
    ["en", "we are at the border with Kazakhstan"],
  ] as const)("%s %j: a border placed in Russia or at a neighbour other than Mexico is the way out, not the US border: leaving Russia first, no US-border warning", async (lang, typed) => {
    const t = texts(lang);
    const user = shared!.user({ language_code: lang });
    await user.send(typed);
    const text = user.lastBotMessage()!.text!;
    expect(text).not.toContain(t("answer.atBorder.lead"));
    expect(user.buttons()[0]!.text).toBe(t("topics.leave-russia.button"));
  });

  it("natural Russian: no calques, no dangling phrases (pinned on purpose, from the reader's report)", async () => {
    const user = shared!.user({ language_code: "ru" });
    for (const typed of ["вы настоящий адвокат?", "ок", "спасибо"]) {
      await user.send(typed);
      expect(user.lastBotMessage()!.text).not.toMatch(/на расстоянии одного звонка|когда понадобится/);
    }
    expect(user.lastBotMessage()!.text).toContain(ru("free.thanks"));
  });
});
