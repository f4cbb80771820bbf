import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cb, parseCallback } from "../src/bot/callback-data.js";
import { CONTENT_DIR, LOCALES_DIR } from "../src/app.js";
import { loadContent } from "../src/content/content.js";
import { sentences, sourcedSentences } from "../src/content/sourced.js";
import { createI18n, readLocales } from "../src/i18n.js";
import { sourcesMonth } from "../src/content/render.js";
import { bondNotes } from "../src/bot/features/urgent.js";
import { MAX_QUESTIONS } from "../src/bot/features/guided/screens.js";
import { renderContext } from "../src/bot/screens.js";
import { startTestBot, type TestBot } from "./support/harness.js";
import { en, firstLine, ru, texts } from "./support/texts.js";

let tb: TestBot | undefined;
afterEach(async () => {
  expect(tb?.tg.rejected ?? [], "Bot API calls rejected").toEqual([]);
  await tb?.close();
  tb = undefined;
});

const LOCATOR = "https://locator.ice.gov/odls/";
const EOIR = "https://www.justice.gov/eoir/list-pro-bono-legal-service-providers";

/** One bot for a describe block's tests, each with its own user: starting a bot costs more than the tests that share it. */
function sharedBot(options: Parameters<typeof startTestBot>[0] = {}): () => TestBot {
  let shared: TestBot | undefined;
  beforeAll(async () => {
    shared = await startTestBot(options);
  });
  afterAll(async () => {
    expect(shared?.tg.rejected ?? [], "Bot API calls rejected").toEqual([]);
    await shared?.close();
  });
  return () => shared!;
}

/** Bond as the urgent lane dates it: the newest month of the bond notes' sources. */
function bondCall(bot: TestBot, lang: "ru" | "en"): string {
  const deps = bot.app.deps;
  const r = renderContext({ t: deps.i18n.t(lang), lang, me: bot.tg.botInfo }, deps);
  return texts(lang)("urgent.detained.call", { month: sourcesMonth(r, bondNotes(deps)) });
}

describe("the urgent lane: someone detained in the US", () => {
  const bot = sharedBot({ bookingUrl: "https://firm.example/book" });

  it.each([
    ["ru", "сын задержан в США, где его искать"],
    ["ru", "брат в детеншене, как его найти"],
    ["ru", "ICE забрали племянника"],
    ["ru", "ICE забрал мужа"],
    ["ru", "ICE задержал мужа"],
    // Ukrainian, as a reader from a Ukrainian-language client may write (they get the Russian bot).
    ["ru", "брата затримали в США, де його шукати"],
    ["en", "my son is detained by ICE, where is he?"],
    ["en", "ICE took my husband this morning"],
    ["en", "my brother was arrested by immigration, how do I find him"],
  ] as const)("%s %j: how to find them (ICE's locator and what it needs), what an A-number is, bond as it stands, the firm in one tap", async (lang, typed) => {
    const t = texts(lang);
    const user = bot().user({ language_code: lang });
    await user.send(typed);
    const message = user.lastBotMessage()!;
    expect(firstLine(message.text!)).toBe(t("urgent.detained.title"));
    expect(message.text).toContain(t("urgent.detained.lead"));
    expect(message.text).toContain(firstLine(t("urgent.detained.anumber")).split(".")[0]!);
    // The locator is a link to ICE's own page, with its visible address and the day it was checked.
    expect(message.signature).toContain(`href="${LOCATOR}"`);
    expect(message.text).toContain("locator.ice.gov/odls");
    expect(message.text).toContain(lang === "ru" ? "30 ноября 2026" : "30 Nov 2026");
    expect(message.text).toContain("+1 646-859-0205");
    // Bond, dated, and the full status one tap away.
    expect(message.text).toContain(bondCall(bot(), lang));
    const labels = user.buttons().map((b) => b.text);
    expect(labels).toEqual(expect.arrayContaining([t("buttons.book"), t("buttons.lawyer"), t("buttons.freeHelp"), t("buttons.bondNow"), t("buttons.inRussia"), t("buttons.inAnotherCountry")]));
  });

  it.each([
    ["ru", "меня задержали в США"],
    ["ru", "меня держит ICE"],
    ["en", "I'm being held by ICE"],
    ["en", "I was detained at the airport in Miami by immigration"],
  ] as const)("%s %j: someone held who writes themselves is spoken to: the attorney first, and the A-number for the family to find them", async (lang, typed) => {
    const t = texts(lang);
    const user = bot().user({ language_code: lang });
    await user.send(typed);
    const message = user.lastBotMessage()!;
    expect(firstLine(message.text!)).toBe(t("urgent.detained.titleSelf"));
    expect(message.signature).toContain(`href="${LOCATOR}"`);
    expect(message.text).not.toContain(t("urgent.detained.lead"));
    expect(message.text).toContain("+1 646-859-0205");
    // Before anything is signed: withdrawing the claim now usually ends on a flight to Moscow (dated).
    expect(message.text).toContain(t("urgent.detained.withdrawSelf"));
    // Bond and the other places, said to them too.
    expect(message.text).toContain(t("urgent.detained.elsewhereSelf"));
    expect(message.text).not.toContain(t("urgent.detained.elsewhere"));
    expect(message.text).toContain(t("urgent.detained.callSelf").split(";")[0]!);
  });

  it.each(["ru", "en"] as const)("%s: bond now is one dated status with every bond note, the same the bond topic and its inline card carry", async (lang) => {
    const t = texts(lang);
    const deps = bot().app.deps;
    const user = bot().user({ language_code: lang });
    await user.send(lang === "ru" ? "ICE забрал мужа" : "ICE took my husband");
    await user.press(t("buttons.bondNow"));
    const text = user.lastBotMessage()!.text!;
    expect(firstLine(text)).toBe(t("urgent.bond.title"));
    const topicNotes = deps.content.notesFor("bond").map((item) => item.id);
    // Refused on arrival (Q. Li), to those who entered without inspection (Yajure Hurtado), and the court fight since (Maldonado Bautista, EOIR's memo).
    expect(topicNotes).toEqual(expect.arrayContaining(["bond-border", "bond-entered", "bond-litigation"]));
    expect(bondNotes(deps).map((item) => item.id).sort()).toEqual([...topicNotes].sort());
    for (const id of topicNotes) expect(text, id).toContain(t(`updates.items.${id}.short`));
    // Every update the bond texts cite is one of the topic's notes: the lane never says more than the card.
    const cited = ["urgent.detained.call", "urgent.bond.body"].flatMap((key) => deps.content.sourced[key]!.flat()).filter((ref) => ref.startsWith("update:"));
    for (const ref of cited) expect(topicNotes).toContain(ref.slice(7));
    const inline = await user.inline(lang === "ru" ? "залог" : "bond");
    const card = inline.find((r) => r.id === `${lang}:bond`)!.input_message_content.message_text;
    for (const id of topicNotes) expect(card, `card ${id}`).toContain(t(`updates.items.${id}.short`));
    // Back returns to the lane.
    await user.press(t("buttons.back"));
    expect(firstLine(user.lastBotMessage()!.text!)).toBe(t("urgent.detained.title"));
  });
});

describe("someone detained outside the US, or where is not said", () => {
  const bot = sharedBot();

  it.each([
    ["ru", "сына задержали на границе, что делать"],
    ["ru", "мужа задержали на границе"],
    ["ru", "zaderzhali syna"],
    ["ru", "Мого сина затримали на кордоні"],
    // "Russia" in another sense than where: the detention is still to be placed.
    ["ru", "брата задержали, он уехал, чтобы не воевать с Россией"],
    ["en", "my son got detained, what do I do"],
  ] as const)("%s %j: asks where first (a border could be Russia's), then answers for the place", async (lang, typed) => {
    const t = texts(lang);
    const user = bot().user({ language_code: lang });
    await user.send(typed);
    const question = user.lastBotMessage()!;
    expect(firstLine(question.text!)).toBe(t("urgent.where.title"));
    expect(question.signature).not.toContain(LOCATOR);
    expect(user.buttons().slice(0, 3).map((b) => b.text)).toEqual([t("buttons.inUs"), t("buttons.inRussia"), t("buttons.inAnotherCountry")]);
    await user.press(t("buttons.inRussia"));
    expect(firstLine(question.text!)).toBe(t("urgent.russia.title"));
    await user.press(t("buttons.inUs"));
    expect(firstLine(question.text!)).toBe(t("urgent.detained.title"));
  });

  it.each([
    ["ru", "меня задержали на границе"],
    ["ru", "Мене затримали на кордоні, що робити?"],
    ["en", "they detained me at the border what now"],
    ["en", "I was detained at the border"],
  ] as const)("%s %j: the person held, where not said: asks where they are, and in the US speaks to them, not to a relative searching", async (lang, typed) => {
    const t = texts(lang);
    const user = bot().user({ language_code: lang });
    await user.send(typed);
    const question = user.lastBotMessage()!;
    expect(firstLine(question.text!)).toBe(t("urgent.where.titleSelf"));
    expect(question.text).toContain(t("urgent.where.bodySelf"));
    expect(user.buttons().slice(0, 3).map((b) => b.text)).toEqual([t("buttons.inUs"), t("buttons.inRussia"), t("buttons.inAnotherCountry")]);
    await user.press(t("buttons.inUs"));
    expect(firstLine(question.text!)).toBe(t("urgent.detained.titleSelf"));
    expect(question.text).toContain(t("urgent.detained.withdrawSelf"));
    expect(question.text).not.toContain(t("urgent.detained.lead"));
    expect(question.text).toContain("+1 646-859-0205");
  });

  it.each([
    ["ru", "сына задержали в аэропорту Астаны", "Казахстан"],
    ["en", "my son was detained in Kazakhstan", "Kazakhstan"],
  ] as const)("%s %j: in a third country, says honestly that the sources are silent, and offers the attorney; no ICE", async (lang, typed, country) => {
    const t = texts(lang);
    const user = bot().user({ language_code: lang });
    await user.send(typed);
    const message = user.lastBotMessage()!;
    expect(firstLine(message.text!)).toBe(t("urgent.abroad.titleNamed", { country }));
    expect(message.text).toContain(t("urgent.abroad.silent"));
    expect(message.text).toContain(t("urgent.callFirm"));
    expect(message.text).toContain("+1 646-859-0205");
    expect(message.text).not.toContain(t("urgent.detained.title"));
    expect(message.signature).not.toContain(LOCATOR);
    expect(user.buttons()[0]!.text).toBe(t("buttons.lawyer"));
    expect(user.buttons().map((b) => b.text)).toEqual(expect.arrayContaining([t("buttons.inUs"), t("buttons.inRussia")]));
  });

  it.each([
    ["ru", "мужа задержали в Шереметьево на выезде"],
    ["en", "my husband was detained at the Russian border"],
    // Not let out at the Russian border, as a reader wrote it in both languages.
    ["ru", "я на границе с Россией, меня не выпускают"],
    ["en", "I'm at the Russian border and they won't let me out"],
    ["en", "my son is at the Russian border, they won't let him leave"],
  ] as const)("%s %j: in Russia, the sources' silence, what the list says on exit bans (dated), the attorney; no ICE", async (lang, typed) => {
    const t = texts(lang);
    const user = bot().user({ language_code: lang });
    await user.send(typed);
    const message = user.lastBotMessage()!;
    expect(firstLine(message.text!)).toBe(t("urgent.russia.title"));
    expect(message.text).toContain(t("urgent.russia.silent"));
    expect(message.text).toContain(t("urgent.russia.exit"));
    for (const id of ["exit-ban", "exit-ban-earlier", "e-register"]) expect(message.text, id).toContain(t(`updates.items.${id}.short`));
    expect(message.text).toContain(t("urgent.callFirm"));
    expect(message.signature).not.toContain(LOCATOR);
    expect(message.text).not.toContain(t("urgent.free.title"));
  });

  it.each(["ru", "en"] as const)("%s: the lawyer screen's and the fear screen's detention button asks where", async (lang) => {
    const t = texts(lang);
    const user = bot().user({ language_code: lang });
    await user.send("/lawyer");
    await user.press(t("buttons.urgent"));
    expect(firstLine(user.lastBotMessage()!.text!)).toBe(t("urgent.where.title"));
    await user.send(lang === "ru" ? "мне страшно" : "I'm scared");
    await user.press(t("buttons.urgent"));
    expect(firstLine(user.lastBotMessage()!.text!)).toBe(t("urgent.where.title"));
  });
});

describe("urgent text typed while a guided question waits", () => {
  const bot = sharedBot();

  it.each([
    ["ru", ["ICE задержал мужа", "мне страшно", "как связаться с адвокатом", "удалите мои данные"]],
    ["en", ["ICE detained my husband", "I'm scared", "how do I talk to a lawyer", "delete my data"]],
  ] as const)("%s: is answered at once, never swallowed by 'press a button'; the question stays open and is shown again below", async (lang, typed) => {
    const t = texts(lang);
    const user = bot().user({ language_code: lang });
    await user.send("/start");
    await user.press(t("buttons.guided"));
    await user.pressData("g:loc:a");
    const question = user.lastBotMessage()!;
    expect(question.text).toContain(t("guided.questions.visa.text"));
    const expected = [t("urgent.detained.title"), t("urgent.fear.lead"), t(lang === "ru" ? "free.call" : "free.lawyer"), t("free.forget")];
    for (const [i, text] of typed.entries()) {
      const before = user.botMessages().length;
      await user.send(text);
      const replies = user.botMessages().slice(before);
      expect(replies[0]!.message_id, text).not.toBe(question.message_id);
      expect(firstLine(replies[0]!.text!), text).toBe(expected[i]);
      expect(replies[0]!.text).not.toContain(t("guided.pressButton"));
      // Someone detained, frightened or asking for the attorney comes back to the questions: the open one is shown again below, saying so; asking to delete one's data does not.
      if (i < 3) {
        expect(replies, text).toHaveLength(2);
        expect(firstLine(replies[1]!.text!)).toBe(t("guided.resume"));
        expect(replies[1]!.text).toContain(t("guided.questions.visa.text"));
      } else expect(replies, text).toHaveLength(1);
    }
    await user.pressData("g:visa:n", question);
    expect(question.text).toContain(t("guided.questions.res.text"));
  });
});

describe("the urgent lane's question where, typed during the questions", () => {
  const bot = sharedBot();
  it.each([
    ["ru", "мужа задержали на границе"],
    ["en", "my son was arrested at the border"],
  ] as const)("%s %j: asks where, and its buttons stay the last thing in the chat (the open question is not shown again below them)", async (lang, typed) => {
    const t = texts(lang);
    const user = bot().user({ language_code: lang });
    await user.send("/start");
    await user.press(t("buttons.guided"));
    const before = user.botMessages().length;
    await user.send(typed);
    const replies = user.botMessages().slice(before);
    expect(replies).toHaveLength(1);
    expect(firstLine(replies[0]!.text!)).toBe(t("urgent.where.title"));
  });
});

describe("the urgent lane's screens", () => {
  it("questions about detention in general still go to the topic, not the urgent lane", async () => {
    tb = await startTestBot();
    for (const [lang, typed] of [["ru", "задержат ли меня на границе"], ["en", "how long will I be held in detention"]] as const) {
      const user = tb.user({ language_code: lang });
      await user.send(typed);
      expect(user.lastBotMessage()!.text).toBe(texts(lang)("free.matches"));
      expect(user.buttons()[0]!.text).toBe(texts(lang)("topics.detention.button"));
    }
  });

  it("is a screen other flows link to (cb.urgent), with free legal help beside the firm, and Back where it came from", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "ru" });
    await user.send("/start ru-detention");
    await user.press(ru("buttons.urgent"));
    expect(firstLine(user.lastBotMessage()!.text!)).toBe(ru("urgent.detained.title"));
    await user.press(ru("buttons.back"));
    expect(firstLine(user.lastBotMessage()!.text!)).toBe(ru("topics.detention.title"));
    await user.press(ru("buttons.urgent"));
    await user.press(ru("buttons.freeHelp"));
    const free = user.lastBotMessage()!;
    expect(firstLine(free.text!)).toBe(ru("urgent.free.title"));
    expect(free.signature).toContain(`href="${EOIR}"`);
    expect(free.text).toContain("+1 646-859-0205");
    await user.press(ru("buttons.back"));
    expect(firstLine(user.lastBotMessage()!.text!)).toBe(ru("urgent.detained.title"));
    // From a route, Back returns to the route.
    await user.pressData(cb.urgent({ to: "route", answers: "mu..-pn." }));
    await user.press(ru("buttons.back"));
    expect(user.lastBotMessage()!.text).toContain(ru("route.steps.us-hearings.lead"));
  });

  it("its callback data is built and parsed in one place, and bad data is refused", () => {
    expect(cb.urgent()).toBe("d");
    expect(parseCallback("d")).toEqual({ kind: "urgent", back: { to: "menu" } });
    expect(parseCallback(cb.urgent({ to: "route", answers: "orn.-pna" }))).toEqual({ kind: "urgent", back: { to: "route", answers: "orn.-pna" } });
    expect(parseCallback(cb.freeHelp({ to: "urgent" }))).toEqual({ kind: "freeHelp", back: { to: "urgent" } });
    expect(parseCallback(cb.handoff({ to: "urgent" }))).toEqual({ kind: "handoff", back: { to: "urgent" } });
    for (const bad of ["d:", "d:x:y", "df:r.zzz", "d:s."]) expect(parseCallback(bad), bad).toBeUndefined();
  });
});

describe("fear and distress", () => {
  it.each([
    ["ru", "привет, мне страшно"],
    ["ru", "помогите"],
    ["ru", "я в панике"],
    ["ru", "😭"],
    // A single "urgent", as a reader wrote it: before, "I may not have understood you".
    ["ru", "Срочно!"],
    ["en", "I'm scared"],
    ["en", "please help"],
    ["en", "😰"],
    ["en", "urgent"],
    // Danger at hand that is not yet a detention, as a reader wrote it: before, a list of 2022 topics.
    ["ru", "меня депортируют завтра"],
    ["ru", "ICE пришли ко мне домой"],
    ["en", "ICE is at my door"],
    ["en", "I am being deported tomorrow"],
  ] as const)("%s %j: one warm human sentence first, the firm's number on the screen itself, then the route and the lawyer", async (lang, typed) => {
    tb = await startTestBot();
    const t = texts(lang);
    const user = tb.user({ language_code: lang });
    await user.send(typed);
    const text = user.lastBotMessage()!.text!;
    expect(text.startsWith(t("urgent.fear.lead"))).toBe(true);
    expect(text).toContain("+1 646-859-0205");
    expect(user.buttons().map((b) => b.text).slice(0, 4)).toEqual([t("buttons.guided"), t("buttons.relative"), t("buttons.lawyer"), t("buttons.urgent")]);
  });
});

describe("every sentence of the urgent lane and the safety card names its source", () => {
  const i18n = createI18n(readLocales(LOCALES_DIR));
  const content = loadContent(CONTENT_DIR, i18n);

  it("in both languages, each one from the transcript, the update list, a named official page, the firm, or the bot itself", () => {
    const { sentences: all, problems } = sourcedSentences(content, i18n);
    expect(problems).toEqual([]);
    for (const key of ["urgent.detained.find", "urgent.detained.anumber", "urgent.detained.call", "urgent.free.body", "urgent.fear.lead", "topics.safety.body"]) {
      for (const lang of ["ru", "en"] as const) expect(all.filter((s) => s.key === key && s.lang === lang).length, `${key} ${lang}`).toBeGreaterThan(0);
    }
    expect(all.every((s) => s.sources.length > 0)).toBe(true);
    // Official pages are named with an address and the day they were checked.
    for (const page of content.pages) {
      expect(page.url).toMatch(/^https:\/\//);
      expect(page.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it("a sentence added without a source, or a source that points nowhere, is a problem", () => {
    const broken = { ...content, sourced: { ...content.sourced, "urgent.detained.anumber": [["page:ice-locator"], ["page:no-such-page"]] } };
    const { problems } = sourcedSentences(broken, i18n);
    expect(problems.some((p) => p.includes("urgent.detained.anumber") && p.includes("sentences but 2 source entries"))).toBe(true);
    expect(problems.some((p) => p.includes("unknown source page:no-such-page"))).toBe(true);
  });

  it("splits what a reader sees into sentences: lines, bullets, and sentences that end before a capital", () => {
    expect(sentences("• <b>Clear this chat.</b> /forget deletes it. Then 0.01% of U.S. travellers.\nNew line")).toEqual(["Clear this chat.", "/forget deletes it.", "Then 0.01% of U.S. travellers.", "New line"]);
  });

  it.each(["ru", "en"] as const)("%s: /help and the safety card say what the bot asks and where the answers go, and that anyone's phone may be searched", async (lang) => {
    tb = await startTestBot();
    const t = texts(lang);
    const user = tb.user({ language_code: lang });
    await user.send("/help");
    const help = user.lastBotMessage()!.text!;
    // The paragraph about what the bot asks: the questionnaire's subjects, "prefer not to say", answers kept only in the buttons.
    const asks = t("help.text", { username: tb.tg.botInfo.username, max: MAX_QUESTIONS, disclaimer: "" }).trim().split("\n\n").at(-1)!;
    expect(help).toContain(asks);
    // As many as /route counts once it has asked whom the route is for ("Question 1 of up to 7"), and the menu's button alike.
    await user.send("/route");
    expect(user.lastBotMessage()!.text!).toContain(t("guided.intro", { max: MAX_QUESTIONS }));
    await user.press(t("guided.questions.who.answers.m"));
    expect(user.lastBotMessage()!.text!).toContain(t("guided.progress", { n: 1, max: MAX_QUESTIONS }));
    await user.send(`/start ${lang}-safety`);
    const safety = user.lastBotMessage()!.text!;
    // Pinned on purpose: the bot does ask about summons, views and arrests, so "never asks … case details" was untrue;
    // and "rarely" lulled the very people most likely to be searched.
    for (const text of [help, safety]) expect(text).not.toMatch(lang === "ru" ? /подробности дела/ : /case details/);
    expect(safety).not.toMatch(lang === "ru" ? /хотя редко/ : /though rarely/);
    expect(safety).toContain(lang === "ru" ? "менее чем у 0,01% въезжающих" : "fewer than 0.01% of arriving travellers");
  });

  it("the safety card no longer states the CBP figure without its official page, and names the page with its check date", async () => {
    tb = await startTestBot();
    for (const [lang, t] of [["en", en], ["ru", ru]] as const) {
      const user = tb.user({ language_code: lang });
      await user.send(`/start ${lang}-safety`);
      const message = user.lastBotMessage()!;
      expect(firstLine(message.text!)).toBe(t("topics.safety.title"));
      expect(message.signature).toContain('href="https://www.cbp.gov/travel/cbp-search-authority/border-search-electronic-devices"');
      expect(message.text).toContain(lang === "ru" ? "проверено 30 ноября 2026" : "checked 30 Nov 2026");
      // No API method names or English on the Russian card.
      if (lang === "ru") expect(message.text).not.toMatch(/deleteMessage|Bot API|citing/);
    }
  });
});
