import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { htmlToText } from "../src/telegram/html.js";
import type { LabelledQuery } from "../tools/search-eval.js";
import { startTestBot, type TestBot } from "./support/harness.js";
import { upTo } from "./support/notes.js";
import { en, firstLine, ru } from "./support/texts.js";

let tb: TestBot;
afterEach(async () => {
  expect(tb.tg.rejected, "Bot API calls rejected").toEqual([]);
  await tb.close();
});

const queries = (JSON.parse(readFileSync("test/search-queries.json", "utf8")) as { queries: LabelledQuery[] }).queries;

describe("inline mode", () => {
  it("answers every benchmark query with valid results (the local Bot API checks ids, limits and HTML)", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    for (const q of queries) {
      const results = await user.inline(q.q);
      expect(results.length, q.q).toBeGreaterThan(0);
      expect(results.length).toBeLessThanOrEqual(11);
      expect(new Set(results.map((r) => r.id)).size).toBe(results.length);
      for (const r of results) expect(Buffer.byteLength(r.id)).toBeLessThanOrEqual(64);
    }
    const answers = tb.tg.calls.filter((c) => c.method === "answerInlineQuery");
    expect(answers).toHaveLength(queries.length);
    for (const a of answers) expect(a.params).toMatchObject({ cache_time: 300, is_personal: true });
  });

  it("a result posts a self-contained card with a button that opens the bot at that topic, in that language", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    const [first] = await user.inline("залог");
    expect(first!.id).toBe("ru:bond");
    expect(first!.title).toBe(ru("topics.bond.title"));
    expect(first!.description).toBe(ru("topics.bond.description"));
    const card = first!.input_message_content.message_text;
    expect(card).toContain("Видео: 17:21, 17:50, 18:00");
    expect(card).toContain("21 октября 2022 года");
    expect(card).toContain(tb.app.deps.i18n.t("ru")("common.disclaimer"));
    // The card carries every dated note of the topic, so 2022 advice never travels alone: bond refused at the border, to those who entered without inspection, and the court fight since.
    for (const item of tb.app.deps.content.notesFor("bond")) expect(card, item.id).toContain(ru(`updates.items.${item.id}.short`));
    for (const id of ["bond-border", "bond-entered", "bond-litigation"]) expect(card, id).toContain(ru(`updates.items.${id}.short`));
    expect(card).toContain(`@${tb.tg.botInfo.username}`);
    const button = first!.reply_markup!.inline_keyboard[0]![0]!;
    expect("url" in button && button.url).toBe(`https://t.me/${tb.tg.botInfo.username}?start=ru-bond_in`);
  });

  it("a country alone finds its card, then getting there with a visa and why not the border, then the lawyer; the card speaks to whoever it is posted to", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    for (const [q, lang, country] of [["грузия", "ru", "Грузия"], ["georgia", "en", "Georgia"], ["в Сербии", "ru", "Сербия"], ["gruziya", "ru", "Грузия"]] as const) {
      const results = await user.inline(q);
      expect(results.map((r) => r.id), q).toEqual([`${lang}:abroad`, `${lang}:visa-inside`, `${lang}:border`, `${lang}:lawyer`]);
      const card = results[0]!.input_message_content.message_text;
      expect(card).toContain((lang === "ru" ? ru : en)("place.named", { country }));
      // Pinned on purpose: the person the card is posted to typed nothing.
      expect(card).not.toMatch(/упомянули|You mentioned/);
    }
    // A country with a question: the topics answer the question.
    expect((await user.inline("грузия залог"))[1]!.id).toBe("ru:bond");
  });

  it("Latin queries are answered in the user's language, unless they are transliterated Russian", async () => {
    tb = await startTestBot();
    const ru = tb.user({ language_code: "ru" });
    expect((await ru.inline("bond"))[0]!.id).toBe("ru:bond");
    const en = tb.user({ language_code: "en" });
    expect((await en.inline("bond"))[0]!.id).toBe("en:bond");
    expect((await en.inline("povestka"))[0]!.id).toMatch(/^ru:/);
    // A user who chose Russian in the bot gets Russian, whatever the app's language.
    const switched = tb.user({ language_code: "en" });
    await switched.send("/language");
    await switched.press("Русский");
    expect((await switched.inline("detention"))[0]!.id).toBe("ru:detention");
  });

  it("an empty query offers the most useful topics; an unmatched one offers the bot", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "ru" });
    const results = await user.inline("");
    expect(results.map((r) => r.id).slice(0, 3)).toEqual(["ru:no-program", "ru:leave-russia", "ru:visa-inside"]);
    expect((await user.inline("qqqqqqq")).map((r) => r.id)).toEqual(["ru:lawyer"]);
    const last = tb.tg.calls.filter((c) => c.method === "answerInlineQuery").at(-1)!;
    expect(last.params.button).toMatchObject({ start_parameter: "ru" });
  });

  it("the border card leads with the turn-backs, so it never reads as an invitation", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    const border = (await user.inline("asylum at the border")).find((r) => r.id === "en:border")!;
    const card = border.input_message_content.message_text;
    expect(border.description).toBe(en("topics.border.description"));
    // Safety pin: the card's text says plainly that the 2022 route no longer guarantees even a chance to apply.
    expect(border.description).toMatch(/^The 2022 route, asking for asylum at the US border, no longer guarantees even a chance to apply/);
    expect(card).toContain(tb.app.deps.i18n.t("en")("updates.items.turn-backs.short"));
  });

  it("the card of what changed carries the changes that alter what to do, dated, says how many more the bot holds, and credits no minute of the 2022 interview", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    const content = tb.app.deps.content;
    for (const [q, lang, t] of [["what changed", "en", en], ["что изменилось", "ru", ru]] as const) {
      const result = (await user.inline(q)).find((r) => r.id === `${lang}:updates`)!;
      const card = htmlToText(result.input_message_content.message_text);
      const mustKnow = content.updates.mustKnow.map((i) => i.id);
      // The route steps' kept notes: the turn-backs, the border bond rule, the fee that gets an application rejected, arrests at court…
      expect(mustKnow).toEqual(expect.arrayContaining(["turn-backs", "bond-border", "fee-rejection", "courthouse-arrests"]));
      for (const id of mustKnow) expect(card, id).toContain(t(`updates.items.${id}.short`));
      expect(card).toContain(t("common.notesHeader", { month: upTo(content, lang, mustKnow) }));
      expect(card).toContain(t("updates.cardMore", { count: content.updates.items.length }));
      expect(content.updates.items.length).toBeGreaterThan(mustKnow.length);
      // Those changes postdate the interview: no minute of it is cited for them.
      expect(card).not.toMatch(/Video: |Видео: /);
      expect(card.length).toBeLessThanOrEqual(4096);
    }
  });

  it("someone detained: the urgent lane's cards come first, one per place when the query does not say where; no money: free legal help first", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    const ids = async (q: string) => (await user.inline(q)).map((r) => r.id);
    expect((await ids("задержали сына")).slice(0, 3)).toEqual(["ru:detained-us", "ru:detained-russia", "ru:detained-abroad"]);
    expect((await ids("my son was detained")).slice(0, 3)).toEqual(["en:detained-us", "en:detained-russia", "en:detained-abroad"]);
    // As a reader searched in English: the bare word, and a relative named without a verb.
    for (const query of ["detained", "son detained", "someone detained"]) expect((await ids(query)).slice(0, 3), query).toEqual(["en:detained-us", "en:detained-russia", "en:detained-abroad"]);
    expect((await ids("ICE took my husband"))[0]).toBe("en:detained-us");
    expect((await ids("сына задержали в России"))[0]).toBe("ru:detained-russia");
    expect((await ids("сына задержали в Казахстане"))[0]).toBe("ru:detained-abroad");
    expect((await ids("нет денег на адвоката"))[0]).toBe("ru:free-help");
    expect((await ids("I have no money for a lawyer"))[0]).toBe("en:free-help");
    // The cards are the screens the bot shows, without the buttons a posted card cannot have.
    const [us] = await user.inline("ICE took my husband");
    const pages = tb.app.deps.content;
    expect(us!.title).toBe(en("urgent.detained.title").replace(/<\/?b>/g, ""));
    expect(us!.input_message_content.message_text).toContain(pages.page("ice-locator")!.url);
    expect(us!.input_message_content.message_text).not.toContain(en("urgent.detained.elsewhere"));
    // "Open in the bot" opens the same screen there.
    const open = us!.reply_markup!.inline_keyboard[0]![0]!;
    expect("url" in open && open.url).toBe(`https://t.me/${tb.tg.botInfo.username}?start=en-detained-us_in`);
    const receiver = tb.user({ language_code: "ru" });
    await receiver.send("/start en-detained-us_in");
    expect(receiver.lastBotMessage()!.text!.startsWith(en("urgent.detained.title").replace(/<\/?b>/g, ""))).toBe(true);
    // It points to "Bond now", which a posted card has no button for: the card carries it.
    expect(us!.input_message_content.message_text).toContain(en("urgent.bond.title"));
    expect((await user.inline("I have no money for a lawyer"))[0]!.description).toBe(en("inline.freeHelpDescription"));
    const abroad = (await user.inline("сына задержали в Казахстане"))[0]!;
    expect(abroad.input_message_content.message_text).toContain(ru("urgent.abroad.titleNamed", { country: "Казахстан" }));
    const free = (await user.inline("I have no money for a lawyer"))[0]!;
    expect(free.input_message_content.message_text).toContain(pages.page("eoir-pro-bono")!.url);
    // A query about detention in general still finds the topic first.
    expect((await ids("what happens in detention"))[0]).not.toMatch(/detained-/);
  });

  it("cost and lawyer questions put a 'Talk to a lawyer' card first; every answer offers it", async () => {
    tb = await startTestBot({ bookingUrl: "https://firm.example/book" });
    const user = tb.user({ language_code: "ru" });
    for (const q of ["сколько стоит адвокат", "how much does a lawyer cost", "консультация"]) {
      const [first] = await user.inline(q);
      expect(first!.id, q).toMatch(/^(ru|en):lawyer$/);
    }
    const [lawyer] = await user.inline("адвокат");
    expect(lawyer!.title).toBe(ru("inline.lawyerTitle"));
    expect(lawyer!.input_message_content.message_text).toContain("+1 646-859-0205");
    expect(lawyer!.reply_markup!.inline_keyboard.flat().some((b) => "url" in b && b.url === "https://firm.example/book")).toBe(true);
    expect((await user.inline("залог")).at(-1)!.id).toBe("ru:lawyer");
  });

  it("cards follow the query's language, and a leading 'ru' asks for Russian cards from English", async () => {
    tb = await startTestBot();
    const volunteer = tb.user({ language_code: "en" });
    expect((await volunteer.inline("bond"))[0]!.id).toBe("en:bond");
    expect((await volunteer.inline("ru bond"))[0]!.id).toBe("ru:bond");
    expect((await volunteer.inline("ru bond"))[0]!.title).toBe(ru("topics.bond.title"));
    expect((await volunteer.inline("ru"))[0]!.id).toMatch(/^ru:/);
    const russian = tb.user({ language_code: "ru" });
    expect((await russian.inline("en залог"))[0]!.id).toBe("en:bond");
  });

  it("counts queries and chosen results, and keeps nothing about who searched", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en", username: "inline_person_1" });
    await user.inline("bond");
    await user.chooseInline("en:bond", "bond");
    await user.chooseInline("forged:id", "x");
    await tb.flush();
    const rows = (await tb.rows("daily_counts")).map(({ name, label, n }) => ({ name, label, n: Number(n) })).sort((a, b) => a.name.localeCompare(b.name));
    expect(rows).toEqual([
      { name: "inline_chosen", label: "bond", n: 1 },
      { name: "inline_query", label: "en", n: 1 },
    ]);
    await user.chooseInline("en:lawyer", "lawyer");
    await tb.flush();
    expect((await tb.rows("daily_counts")).filter((r) => r.name === "inline_chosen").map((r) => r.label).sort()).toEqual(["bond", "lawyer"]);
    expect(await tb.app.storage.count()).toBe(0);
  });
});

describe("deep links and sharing", () => {
  it("every topic has a working deep link in both languages", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    for (const topic of tb.app.deps.content.topics) {
      for (const lang of ["ru", "en"] as const) {
        const payload = `${lang}-${topic.id}`;
        expect(payload).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
        await user.send(`/start ${payload}`);
        expect(firstLine(user.lastBotMessage()!.text!)).toBe((lang === "ru" ? ru : en)(`topics.${topic.id}.title`));
      }
    }
  });

  it("/start ru opens the bot in Russian for a relative, whatever their app's language", async () => {
    tb = await startTestBot();
    const relative = tb.user({ language_code: "en" });
    await relative.send("/start ru_sh");
    expect(firstLine(relative.lastBotMessage()!.text!)).toBe(firstLine(ru("start.greeting", { date: "", disclaimer: "" })));
    await tb.flush();
    expect((await tb.rows("daily_counts")).filter((r) => r.name === "start").map((r) => r.label)).toEqual(["ru:sh"]);
  });

  it("/guide from the English interface offers the Russian guide for relatives as well as the English one", async () => {
    tb = await startTestBot();
    const volunteer = tb.user({ language_code: "en" });
    await volunteer.send("/guide");
    expect(volunteer.lastBotMessage()!.text).toBe(en("guide.choose"));
    await volunteer.press(en("buttons.guideRu"));
    expect(volunteer.lastBotMessage()!.document!.file_name).toBe(ru("guide.filename"));
    const russian = tb.user({ language_code: "ru" });
    await russian.send("/guide");
    expect(russian.lastBotMessage()!.document!.file_name).toBe(ru("guide.filename"));
  });

  it("Share and /share give a Russian link for a relative and a button that sends a topic card to any chat", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/share");
    const text = user.lastBotMessage()!.text!;
    const link = `https://t.me/${tb.tg.botInfo.username}?start=ru_sh`;
    expect(text).toContain(link);
    const buttons = user.buttons();
    const sheet = buttons.find((b) => "url" in b && b.url?.startsWith("https://t.me/share/url"));
    expect(sheet && "url" in sheet && decodeURIComponent(sheet.url!)).toContain(link);
    // From the English interface, the card button asks for Russian cards, and the guide comes in Russian too.
    expect(buttons.some((b) => "switch_inline_query" in b && b.switch_inline_query === "ru ")).toBe(true);
    await user.press(en("buttons.guideRu"));
    expect(user.lastBotMessage()!.document!.file_name).toBe(ru("guide.filename"));
    await user.press(en("buttons.guideEn"));
    expect(user.lastBotMessage()!.document!.file_name).toBe(en("guide.filename"));
    await user.send("/start");
    await user.press(en("buttons.share"));
    expect(user.lastBotMessage()!.text).toContain(link);
    const russian = tb.user({ language_code: "ru" });
    await russian.send("/share");
    expect(russian.buttons().some((b) => "switch_inline_query" in b && b.switch_inline_query === "")).toBe(true);
    expect(russian.buttons().map((b) => b.text)).not.toContain(ru("buttons.guideEn"));
  });
});
