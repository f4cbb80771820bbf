import { afterEach, describe, expect, it } from "vitest";
import { answer, steps } from "./support/guided.js";
import { startTestBot, type TestBot } from "./support/harness.js";
import { en, firstLine, ru } from "./support/texts.js";

/**
 * The guided conversation's mechanics: what it carries from step to step (who it is for, legal
 * residence), typed text while a question waits, Back, Cancel, double taps, retries inside a
 * step, other commands meanwhile, a restart mid-way, and what it keeps in storage (its replay
 * state, then nothing). What the routes say is in guided-routes.test.ts.
 */

let tb: TestBot;
afterEach(async () => {
  expect(tb.tg.rejected, "Bot API calls rejected").toEqual([]);
  await tb.close();
});

describe("the guided conversation", () => {
  it("'who is this for' is asked once: the start screen's answer carries into the flow, and only /route asks it", async () => {
    tb = await startTestBot();
    for (const [lang, t] of [["en", en], ["ru", ru]] as const) {
      const user = tb.user({ language_code: lang });
      await user.send("/start");
      expect(user.lastBotMessage()!.text).toContain(firstLine(t("start.greeting", { date: "", disclaimer: "" })));
      await user.press(t("buttons.guided"));
      let text = user.lastBotMessage()!.text!;
      expect(text).not.toContain(t("guided.questions.who.text"));
      expect(text).toContain(t("guided.questions.loc.text"));
      expect(text).toContain(t("guided.progress", { n: 1, max: 7 }));
      // Back from the first question leaves, as there is nothing before it.
      await user.press(t("guided.back"));
      expect(firstLine(user.lastBotMessage()!.text!)).toBe(t("guided.cancelled"));
      await user.press(t("buttons.relative"));
      text = user.lastBotMessage()!.text!;
      expect(text).not.toContain(t("guided.questions.who.text"));
      expect(text).toContain(t("guided.questions.loc.textOther"));
      await user.send("/route");
      expect(user.lastBotMessage()!.text).toContain(t("guided.questions.who.text"));
    }
  });
  it("someone abroad is asked about legal residence there, and the visa-interview rule follows the answer", async () => {
    tb = await startTestBot();
    for (const [lang, t] of [["en", en], ["ru", ru]] as const) {
      const user = tb.user({ language_code: lang });
      await user.send("/route");
      await answer(user, t, ["who.m", "loc.a", "visa.n"]);
      expect(user.lastBotMessage()!.text).toContain(t("guided.questions.res.text"));
      await answer(user, t, ["res.y", "draft.n", "views.p", "rec.n"]);
      let text = user.lastBotMessage()!.text!;
      expect(steps(text, t)).toContain("visa-options-res");
      expect(text).not.toContain(t("route.steps.visa-options.lead"));
      await user.send("/route");
      await answer(user, t, ["who.m", "loc.a", "visa.n", "res.n", "draft.n", "views.p", "rec.n"]);
      text = user.lastBotMessage()!.text!;
      expect(steps(text, t)).toContain("visa-options");
      // Without residence, the Astana-or-Warsaw rule, with its condition, in the route's own line; its dated note one tap away.
      expect(t("route.steps.visa-options.lead")).toContain(t("updates.items.interviews-abroad.condition"));
      expect(t("updates.items.interviews-abroad.short")).toContain(t("updates.items.interviews-abroad.condition"));
      await user.press(t("buttons.details"));
      let details = user.lastBotMessage()!.text!;
      while (user.buttons().some((b) => b.text === t("buttons.nextPage"))) {
        await user.press(t("buttons.nextPage"));
        details += user.lastBotMessage()!.text!;
      }
      expect(details).toContain(t("updates.items.interviews-abroad.short"));
      // In Russia, or with a valid visa, the question is not asked.
      await user.send("/route");
      await answer(user, t, ["who.m", "loc.r", "visa.n"]);
      expect(user.lastBotMessage()!.text).toContain(t("guided.questions.draft.text"));
      await user.send("/route");
      await answer(user, t, ["who.m", "loc.a", "visa.y"]);
      expect(user.lastBotMessage()!.text).toContain(t("guided.questions.draft.text"));
    }
  });
  it("text typed while a question waits shows the question again, with a line saying to press a button; the flow goes on", async () => {
    tb = await startTestBot();
    for (const [lang, t] of [["en", en], ["ru", ru]] as const) {
      const user = tb.user({ language_code: lang });
      await user.send("/start");
      await user.press(t("buttons.guided"));
      await answer(user, t, ["loc.a"]);
      await user.send(lang === "en" ? "I'm in Serbia" : "я в Сербии");
      const again = user.lastBotMessage()!;
      expect(user.botMessages()).toHaveLength(2);
      expect(firstLine(again.text!)).toBe(t("guided.pressButton"));
      expect(again.text).toContain(t("guided.questions.visa.text"));
      expect(again.text).toContain(t("guided.progress", { n: 2, max: 7 }));
      await answer(user, t, ["visa.y"]);
      expect(again.text).toContain(t("guided.questions.draft.text"));
      // What must not wait, someone detained, is answered at once; the question stays open below.
      const before = user.botMessages().length;
      await user.send(lang === "en" ? "my son was detained by ICE" : "сына задержали в США");
      const [urgent, resumed] = user.botMessages().slice(before);
      expect(urgent!.text).toContain(firstLine(t("urgent.detained.title")));
      expect(firstLine(resumed!.text!)).toBe(t("guided.resume"));
      expect(resumed!.text).toContain(t("guided.questions.draft.text"));
      await user.pressData("g:draft:n", again);
      expect(again.text).toContain(t("guided.questions.views.text"));
      // With no question waiting, typed text is for the rest of the bot, as before.
      await user.press(t("guided.cancel"));
      await user.send(lang === "en" ? "thank you" : "спасибо");
      expect(user.lastBotMessage()!.text).not.toContain(t("guided.pressButton"));
    }
  });
  it("Back returns to the previous question; a changed answer reshapes the rest; Back from the first leaves", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/route");
    await answer(user, en, ["who.m", "loc.r", "visa.y"]);
    expect(user.lastBotMessage()!.text).toContain(en("guided.questions.draft.text"));
    await user.press(en("guided.back"));
    await user.press(en("guided.back"));
    expect(user.lastBotMessage()!.text).toContain(en("guided.questions.loc.text"));
    await answer(user, en, ["loc.u"]);
    // In the US, the visa question no longer applies.
    expect(user.lastBotMessage()!.text).toContain(en("guided.questions.draft.text"));
    await user.press(en("guided.back"));
    await user.press(en("guided.back"));
    await user.press(en("guided.back"));
    expect(firstLine(user.lastBotMessage()!.text!)).toBe(en("guided.cancelled"));
  });
  it("Cancel leaves and shows the menu; the old question's buttons are then outdated", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/route");
    const question = user.lastBotMessage()!;
    await answer(user, en, ["who.m"]);
    await user.press(en("guided.cancel"));
    expect(firstLine(question.text!)).toBe(en("guided.cancelled"));
    await user.pressData("g:loc:r", question);
    expect(firstLine(question.text!)).toBe(firstLine(en("start.menu", { disclaimer: "" })));
  });
  it("double taps on an answer do not skip a question", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/route");
    const message = user.lastBotMessage()!;
    await user.tapRepeatedly("g:who:m", message, 3);
    expect(message.text).toContain(en("guided.questions.loc.text"));
    await user.tapRepeatedly("g:loc:r", message, 2);
    expect(message.text).toContain(en("guided.questions.visa.text"));
    expect(message.text).toContain(en("guided.progress", { n: 2, max: 7 }));
  });
  it("a 429 or a 5xx inside a guided step is retried and counted, and the step completes", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/route");
    const question = user.lastBotMessage()!;
    await answer(user, en, ["who.m"]);
    tb.tg.failures.push({ method: "editMessageText", code: 429, description: "Too Many Requests: retry after 1", retryAfter: 1 });
    await answer(user, en, ["loc.r"]);
    expect(question.text).toContain(en("guided.questions.visa.text"));
    tb.tg.failures.push({ method: "editMessageText", code: 502, description: "Bad Gateway" });
    await answer(user, en, ["visa.n"]);
    expect(question.text).toContain(en("guided.questions.draft.text"));
    const metrics = await tb.app.deps.metrics.registry.metrics();
    expect(metrics).toContain('bot_telegram_api_errors_total{method="editMessageText",code="429"} 1');
    expect(metrics).toContain('bot_telegram_api_errors_total{method="editMessageText",code="502"} 1');
    expect(user.botMessages().some((m) => m.text === en("unknown.error"))).toBe(false);
  });
  it("other commands work during the conversation, which then continues where it was", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/route");
    const question = user.lastBotMessage()!;
    await answer(user, en, ["who.m", "loc.r"]);
    await user.send("/help");
    expect(firstLine(user.lastBotMessage()!.text!)).toBe(firstLine(en("help.text", { username: "x", disclaimer: "" })));
    await user.pressData("g:visa:n", question);
    expect(question.text).toContain(en("guided.questions.draft.text"));
  });
  it("a restart mid-conversation continues where the user was", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "ru" });
    await user.send("/route");
    await answer(user, ru, ["who.m", "loc.r"]);
    tb = await tb.restart();
    await answer(user, ru, ["visa.n"]);
    expect(user.lastBotMessage()!.text).toContain(ru("guided.questions.draft.text"));
  });
  it("the conversation's saved state stays the same size whatever the number of answers", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/route");
    const key = tb.app.deps.anonymize(user.chatId);
    const sizes: number[] = [];
    for (const a of ["who.m", "loc.r", "visa.n", "draft.s", "views.p", "rec.n"]) {
      await tb.flush();
      sizes.push(await tb.app.storage.size(`c:${key}`));
      await answer(user, en, [a]);
    }
    // The first state was entered by a message, the rest by presses; from then on only the digits of ids and
    // the length of the pressed button's data vary, by a few bytes. Nothing accumulates from step to step.
    const byPress = sizes.slice(2);
    expect(Math.max(...byPress) - Math.min(...byPress), sizes.join(", ")).toBeLessThanOrEqual(5);
    expect(Math.max(...sizes)).toBeLessThan(600);
  });
});

describe("the answers in storage", () => {
  it("once the route is shown, no answer is left in storage: they travel only in the route's buttons", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "ru" });
    await user.send("/route");
    await answer(user, ru, ["who.o", "loc.r", "visa.y", "draft.s", "views.p", "rec.y", "group.o"]);
    await tb.flush();
    const rows = await tb.rows("records");
    expect(rows.map((r) => r.key.split(":")[0])).toEqual(["s"]);
    expect(rows[0]!.value).not.toMatch(/ory|g:|R:/);
    await user.press(ru("buttons.summary"));
    expect(user.lastBotMessage()!.text).toContain(`• ${ru("guided.questions.group.label")}: ${ru("guided.questions.group.facts.o")}`);
  });
});
