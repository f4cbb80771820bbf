import { afterEach, describe, expect, it } from "vitest";
import { startTestBot, type TestBot } from "./support/harness.js";
import { en, firstLine, ru, texts } from "./support/texts.js";

let tb: TestBot;
afterEach(async () => {
  expect(tb.tg.rejected, "Bot API calls rejected").toEqual([]);
  await tb.close();
});

describe("typed text, answered the way a person would", () => {
  it.each([
    ["ru", "спасибо", "free.thanks"],
    ["ru", "Спасибо большое!", "free.thanks"],
    ["ru", "привет", "free.greeting"],
    ["ru", "здраствуйте", "free.greeting"],
    ["ru", "ок", "free.ok"],
    ["en", "thank you so much", "free.thanks"],
    ["en", "hi", "free.greeting"],
    ["en", "helo", "free.greeting"],
    ["en", "ok", "free.ok"],
  ] as const)("%s %j gets a short, warm reply with the way forward", async (lang, typed, key) => {
    tb = await startTestBot();
    const t = texts(lang);
    const user = tb.user({ language_code: lang });
    await user.send(typed);
    expect(user.lastBotMessage()!.text).toBe(t(key));
    expect(user.buttons().map((b) => b.text)).toEqual(expect.arrayContaining([t("buttons.guided"), t("buttons.relative"), t("buttons.lawyer")]));
  });

  it.each([
    ["ru", "а можно позвонить вам?", "free.call"],
    ["ru", "мне нужен адвокат", "free.lawyer"],
    ["ru", "как связаться с адвокатом", "free.call"],
    ["ru", "сколько стоит консультация", "free.price"],
    ["ru", "сколько это стоит?", "free.price"],
    ["en", "can I call you", "free.call"],
    ["en", "how do I talk to a lawyer", "free.lawyer"],
    ["en", "how much does a lawyer cost", "free.price"],
    ["en", "what are your prices", "free.price"],
  ] as const)("%s %j leads to the lawyer screen", async (lang, typed, lead) => {
    tb = await startTestBot({ bookingUrl: "https://firm.example/book" });
    const t = texts(lang);
    const user = tb.user({ language_code: lang });
    await user.send(typed);
    const text = user.lastBotMessage()!.text!;
    expect(firstLine(text)).toBe(t(lead));
    expect(text).toContain(t("handoff.title"));
    expect(text).toContain("+1 646-859-0205");
    expect(user.buttons().some((b) => b.text === t("buttons.book"))).toBe(true);
  });

  it("questions still go to the matching topics, a price question about a topic included", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "ru" });
    await user.send("сколько держат в детеншн");
    expect(user.lastBotMessage()!.text).toBe(ru("free.matches"));
    expect(user.buttons().map((b) => b.text)).toContain(ru("topics.detention.button"));
    await user.send("сколько стоит залог");
    expect(user.buttons().map((b) => b.text)).toContain(ru("topics.bond.button"));
    expect(user.buttons().map((b) => b.text)).toContain(ru("buttons.lawyer"));
  });

  it("the fallback suggests the route and the topics, and never sounds like a refusal", async () => {
    tb = await startTestBot();
    for (const [lang, t] of [["ru", ru], ["en", en]] as const) {
      const user = tb.user({ language_code: lang });
      await user.send("qqqq zzzz");
      const text = user.lastBotMessage()!.text!;
      expect(text).toBe(t("free.noMatch"));
      expect(user.buttons().map((b) => b.text)).toEqual(expect.arrayContaining([t("buttons.guided"), t("buttons.topics")]));
      // Safety of tone, pinned on purpose: the old reply was a refusal ("I can't answer free-form questions").
      expect(text).not.toMatch(/can't answer|can not answer|не отвечаю/i);
    }
  });

  it("a message without a word (a zero-width space, a flag, '?', '…', 🙏) gets the fallback, not three arbitrary topics", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    for (const typed of ["\u200b", "🇺🇦", "?", "…", "🙏"]) {
      await user.send(typed);
      expect(user.lastBotMessage()!.text, JSON.stringify(typed)).toBe(en("free.noMatch"));
    }
  });

  it("nothing typed is stored or logged", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "ru" });
    const secret = "позвонить вам по поводу Тимофея Загадочного 778899";
    await user.send(secret);
    await tb.flush();
    const stored = (await tb.rows("records")).map((r) => r.value).join("\n");
    for (const part of ["Тимофея", "Загадочного", "778899"]) {
      expect(stored).not.toContain(part);
      expect(tb.logs.text).not.toContain(part);
    }
  });
});
