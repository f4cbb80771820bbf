import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CONTENT_DIR } from "../src/app.js";
import { encodeAnswers, nextQuestion } from "../src/bot/features/guided/answers.js";
import { routeSteps } from "../src/bot/features/guided/route.js";
import { everyAnswerCombination } from "../tools/content-audit.js";
import type { SimulatedUser } from "../tools/local-telegram/user.js";
import { startTestBot, type TestBot } from "./support/harness.js";
import { notesOn, upTo } from "./support/notes.js";
import { en, firstLine, ru, type Texts, texts } from "./support/texts.js";

let tb: TestBot;
afterEach(async () => {
  expect(tb.tg.rejected, "Bot API calls rejected").toEqual([]);
  await tb.close();
});

/** Every step a route can have, as routes.json lists them. */
const STEP_KEYS = Object.keys((JSON.parse(readFileSync(join(CONTENT_DIR, "routes.json"), "utf8")) as { steps: Record<string, unknown> }).steps);

/** The step keys a route screen shows, read back from its numbered lines. */
function steps(text: string, t: Texts, other = false): string[] {
  const lead = (key: string) => {
    const own = t(`route.stepsOther.${key}.lead`);
    return other && own !== `route.stepsOther.${key}.lead` ? own : t(`route.steps.${key}.lead`);
  };
  return [...text.matchAll(/^\d+\. (.+)$/gm)].map((m) => STEP_KEYS.find((k) => lead(k) === m[1]) ?? `?${m[1]}`);
}

/** Answers the questions by their answer keys, e.g. ["who.m", "loc.a"]; "skip" is "prefer not to say". */
async function answer(user: SimulatedUser, t: Texts, answers: string[]) {
  for (const a of answers) await user.press(a === "skip" ? t("guided.skip") : t(`guided.questions.${a.split(".")[0]}.answers.${a.split(".")[1]}`));
}

/** The six readers of the guided flow (and a seventh, abroad with legal residence), started from "My situation", which answers "who is this for". */
const ROUTES: { name: string; answers: string[]; first: string[]; notes: string[] }[] = [
  { name: "abroad with no visa", answers: ["loc.a", "visa.n", "res.n", "draft.s", "views.p", "rec.n", "group.a"], first: ["no-border", "visa-options", "qualify", "case", "phone"], notes: ["turn-backs", "interviews-abroad"] },
  { name: "abroad with no visa, with legal residence there", answers: ["loc.a", "visa.n", "res.y", "draft.n", "views.p", "rec.n", "group.a"], first: ["no-border", "visa-options-res", "case", "phone"], notes: ["turn-backs"] },
  { name: "abroad, not sure about the visa", answers: ["loc.a", "visa.u", "res.n", "draft.n", "views.v", "rec.n", "group.a"], first: ["no-border", "visa-check", "case", "phone"], notes: ["turn-backs", "fee-rejection"] },
  { name: "in Russia with a visa", answers: ["loc.r", "visa.y", "draft.e", "views.p", "rec.n"], first: ["leave", "visa-fly", "qualify", "case", "phone"], notes: ["exit-ban", "fee-rejection", "uscis-partial"] },
  { name: "in Russia without a visa", answers: ["loc.r", "visa.n", "draft.n", "views.n", "rec.n", "group.a"], first: ["leave", "no-border", "visa-options", "case-reasons", "phone"], notes: ["exit-ban", "turn-backs", "interviews-abroad"] },
  { name: "in Russia with a summons", answers: ["loc.r", "visa.n", "draft.s", "views.p", "rec.n", "group.a"], first: ["summons", "no-border", "visa-options"], notes: ["exit-ban", "turn-backs"] },
  { name: "in the US", answers: ["loc.u", "draft.n", "views.p", "rec.y"], first: ["us-file", "us-hearings", "case", "record"], notes: ["fee-rejection", "courthouse-arrests"] },
  { name: "at the border", answers: ["loc.b", "visa.n", "draft.s", "views.p", "rec.n", "group.f"], first: ["at-border", "qualify", "case", "group-family", "phone"], notes: ["turn-backs", "bond-border"] },
];

describe("the guided route", () => {
  for (const lang of ["en", "ru"] as const) {
    it.each(ROUTES)(`${lang}: $name`, async ({ answers, first, notes }) => {
      tb = await startTestBot();
      const t = texts(lang);
      const user = tb.user({ language_code: lang });
      await user.send("/start");
      await user.press(t("buttons.guided"));
      await answer(user, t, answers);
      const text = user.lastBotMessage()!.text!;
      const shown = steps(text, t);
      expect(shown.slice(0, first.length)).toEqual(first);
      // Every route ends with the consultation, after a warning about fraudsters.
      expect(shown.slice(-2)).toEqual(["fraud", "consult"]);
      expect(shown.every((s) => !s.startsWith("?")), shown.join(" | ")).toBe(true);
      // The dated reasons for the steps that changed since 2022, and how far their sources run.
      expect(text).toContain(t("route.notesHeader", { month: upTo(tb.app.deps.content, lang, notesOn(tb.app.deps.content, text, t)) }));
      for (const note of notes) expect(text, note).toContain(t(`updates.items.${note}.short`));
      expect(text).toContain(t("common.disclaimer"));
      // The questions and the route edit the greeting in place.
      expect(user.botMessages()).toHaveLength(1);
    });
  }

  it("no route for anyone outside the US presents asking at the border as a step to take, in either language", async () => {
    tb = await startTestBot();
    const seen = new Set<string>();
    for (const answers of everyAnswerCombination()) {
      if (nextQuestion(answers) !== undefined || answers.loc === "u") continue;
      const keys = routeSteps(answers);
      // Safety pin: outside the US without a valid visa, or unsure, the first thing said about getting there is not to go to the border.
      const first = keys.find((k) => !k.startsWith("send") && !["summons", "leave", "leave-if"].includes(k));
      expect(first, JSON.stringify(answers)).toBe(answers.loc === "b" ? "at-border" : answers.visa === "y" ? "visa-fly" : "no-border");
      const key = `${answers.who}|${keys.join(",")}`;
      if (seen.has(key)) continue;
      seen.add(key);
      for (const lang of ["ru", "en"] as const) {
        const user = tb.user({ language_code: lang });
        await user.send("/start");
        await user.pressData(`R:${encodeAnswers(answers)}`);
        const text = user.lastBotMessage()!.text!;
        // Safety pin: the 2022 instruction never appears as a step.
        expect(text).not.toMatch(lang === "en" ? /^\d+\. (?!Do not|They should not).*(ask|reach)\w* (a )?US border officer/im : /^\d+\. (?!Не |Ему не ).*(просить|попросить) убежища у (пограничника|сотрудника пограничной службы)/im);
        expect(text).toContain(lang === "en" ? "sources up to" : "источники — на");
      }
    }
    expect(seen.size).toBeGreaterThan(50);
  }, 120_000);

  it("the border step says plainly that the 2022 route no longer works, with its dated reasons on the route or one tap away", async () => {
    tb = await startTestBot();
    for (const [lang, t] of [["en", en], ["ru", ru]] as const) {
      const user = tb.user({ language_code: lang });
      await user.send("/route");
      await answer(user, t, ["who.m", "loc.a", "visa.n", "res.n", "draft.n", "views.p", "rec.n", "group.a"]);
      const route = user.lastBotMessage()!.text!;
      // Safety pin: not "before talking to an attorney", which reads as the step after the call.
      expect(t("route.steps.no-border.lead")).toMatch(lang === "en" ? /no longer works for most people/ : /больше не работает/);
      expect(route).toContain(t("updates.items.turn-backs.short"));
      await user.press(t("buttons.details"));
      const details = user.lastBotMessage()!.text!;
      for (const reason of ["turn-backs", "bond-border", "deport-summonses"]) expect(details, reason).toContain(t(`updates.items.${reason}.short`));
    }
  });

  it("the question count never jumps: 'Question n of up to 8', whatever turns out not to apply", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/route");
    const progress: string[] = [];
    for (const a of ["who.m", "loc.r", "visa.y", "draft.s", "views.p"]) {
      progress.push(user.lastBotMessage()!.text!.split("\n").find((l) => l.startsWith("Question"))!);
      await answer(user, en, [a]);
    }
    // In Russia the question about legal residence abroad is skipped, and with a visa the one about travelling companions; the count still reads "up to 8".
    expect(progress).toEqual([1, 2, 3, 4, 5].map((n) => en("guided.progress", { n, max: 8 })));
  });

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
      await answer(user, t, ["res.y", "draft.n", "views.p", "rec.n", "group.a"]);
      let text = user.lastBotMessage()!.text!;
      expect(steps(text, t)).toContain("visa-options-res");
      expect(text).not.toContain(t("route.steps.visa-options.lead"));
      await user.send("/route");
      await answer(user, t, ["who.m", "loc.a", "visa.n", "res.n", "draft.n", "views.p", "rec.n", "group.a"]);
      text = user.lastBotMessage()!.text!;
      expect(steps(text, t)).toContain("visa-options");
      // Without residence, the Astana-or-Warsaw rule, with its condition.
      expect(text).toContain(t("updates.items.interviews-abroad.short"));
      expect(t("updates.items.interviews-abroad.short")).toContain(t("updates.items.interviews-abroad.condition"));
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
      await user.send(lang === "en" ? "my son was detained by ICE" : "сына задержали в США");
      expect(firstLine(user.lastBotMessage()!.text!)).not.toBe(t("guided.pressButton"));
      expect(user.lastBotMessage()!.text).toContain(firstLine(t("urgent.detained.title")));
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
    expect(message.text).toContain(en("guided.progress", { n: 3, max: 8 }));
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

describe("the summary for the lawyer", () => {
  it("lists the answers as plain facts with the steps, in one plain-text message, sent once", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/route");
    await answer(user, en, ["who.m", "loc.a", "visa.n", "res.n", "draft.s", "views.p", "skip", "group.f"]);
    const route = user.lastBotMessage()!;
    await user.tapRepeatedly((route.reply_markup!.inline_keyboard.flat().find((b) => b.text === en("buttons.summary")) as { callback_data: string }).callback_data, route, 2);
    const summaries = user.botMessages().filter((m) => m.text?.startsWith(en("route.summary.title")));
    expect(summaries).toHaveLength(1);
    const text = summaries[0]!.text!;
    const fact = (q: string, a: string) => `• ${en(`guided.questions.${q}.label`)}: ${en(`guided.questions.${q}.facts.${a}`)}`;
    for (const line of [fact("loc", "a"), fact("visa", "n"), fact("res", "n"), fact("draft", "s"), fact("views", "p"), `• ${en("guided.questions.rec.label")}: ${en("guided.notSaid")}`, fact("group", "f")]) expect(text).toContain(line);
    expect(text).toContain(`1. ${en("route.steps.no-border.lead")}`);
    expect(text).toContain("+1 646-859-0205");
    expect(tb.tg.calls.find((c) => c.method === "sendMessage" && String(c.params.text).startsWith(en("route.summary.title")))!.params.parse_mode).toBeUndefined();
  });

  it("once the route is shown, no answer is left in storage: they travel only in the route's buttons", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "ru" });
    await user.send("/route");
    await answer(user, ru, ["who.o", "loc.r", "visa.n", "draft.s", "views.p", "rec.y", "group.o"]);
    await tb.flush();
    const rows = await tb.rows("records");
    expect(rows.map((r) => r.key.split(":")[0])).toEqual(["s"]);
    expect(rows[0]!.value).not.toMatch(/orn|g:|R:/);
    await user.press(ru("buttons.summary"));
    expect(user.lastBotMessage()!.text).toContain(`• ${ru("guided.questions.group.label")}: ${ru("guided.questions.group.facts.o")}`);
  });
});
