import { afterEach, describe, expect, it } from "vitest";
import { encodeAnswers, nextQuestion } from "../src/bot/features/guided/answers.js";
import { routeSteps } from "../src/bot/features/guided/route.js";
import { everyAnswerCombination } from "../tools/content-audit.js";
import type { SimulatedUser } from "../tools/local-telegram/user.js";
import { startTestBot, type TestBot } from "./support/harness.js";
import { en, firstLine, ru, type Texts, texts } from "./support/texts.js";

let tb: TestBot;
afterEach(async () => {
  expect(tb.tg.rejected, "Bot API calls rejected").toEqual([]);
  await tb.close();
});

/** The step keys a route screen shows, read back from its numbered lines. */
function steps(text: string, t: Texts, other = false): string[] {
  const keys = ["summons", "leave", "leave-if", "no-border", "at-border", "visa-fly", "visa-check", "visa-options", "us-file", "us-hearings", "qualify", "case", "case-reasons", "record", "group", "fraud", "consult", "send", "talk-safely", "if-held"];
  const lead = (key: string) => {
    const own = t(`route.stepsOther.${key}.lead`);
    return other && own !== `route.stepsOther.${key}.lead` ? own : t(`route.steps.${key}.lead`);
  };
  return [...text.matchAll(/^\d+\. (.+)$/gm)].map((m) => keys.find((k) => lead(k) === m[1]) ?? `?${m[1]}`);
}

/** Answers the questions by their answer keys, e.g. ["who.m", "loc.a"]; "skip" is "prefer not to say". */
async function answer(user: SimulatedUser, t: Texts, answers: string[]) {
  for (const a of answers) await user.press(a === "skip" ? t("guided.skip") : t(`guided.questions.${a.split(".")[0]}.answers.${a.split(".")[1]}`));
}

const ROUTES: { name: string; answers: string[]; first: string[]; notes: string[] }[] = [
  { name: "abroad with no visa", answers: ["who.m", "loc.a", "visa.n", "draft.s", "views.p", "rec.n", "group.a"], first: ["no-border", "visa-options", "qualify", "case"], notes: ["turn-backs", "interviews-abroad"] },
  { name: "abroad, not sure about the visa", answers: ["who.m", "loc.a", "visa.u", "draft.n", "views.v", "rec.n", "group.a"], first: ["no-border", "visa-check", "case"], notes: ["turn-backs", "interviews-abroad"] },
  { name: "in Russia with a visa", answers: ["who.m", "loc.r", "visa.y", "draft.e", "views.p", "rec.n"], first: ["leave", "visa-fly", "qualify", "case"], notes: ["exit-ban", "uscis-hold"] },
  { name: "in Russia without a visa", answers: ["who.m", "loc.r", "visa.n", "draft.n", "views.n", "rec.n", "group.a"], first: ["leave", "no-border", "visa-options", "case-reasons"], notes: ["exit-ban", "turn-backs"] },
  { name: "in Russia with a summons", answers: ["who.m", "loc.r", "visa.n", "draft.s", "views.p", "rec.n", "group.a"], first: ["summons", "no-border", "visa-options"], notes: ["exit-ban", "turn-backs"] },
  { name: "in the US", answers: ["who.m", "loc.u", "draft.n", "views.p", "rec.y"], first: ["us-file", "us-hearings", "case", "record"], notes: ["one-year", "backlog"] },
  { name: "at the border", answers: ["who.m", "loc.b", "visa.n", "draft.s", "views.p", "rec.n", "group.f"], first: ["at-border", "qualify", "case", "group"], notes: ["turn-backs"] },
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
      // The dated reasons for the steps that changed since 2022, checked on a date.
      expect(text).toContain(t("route.notesHeader", { date: lang === "en" ? "29 Nov 2026" : "29 ноября 2026 г." }));
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
      // Safety pin: outside the US without a valid visa, or unsure, the first thing said is not to go to the border.
      const first = keys.find((k) => !["send", "talk-safely", "summons", "leave", "leave-if"].includes(k));
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
        expect(text).not.toMatch(lang === "en" ? /^\d+\. (?!Do not|They should not).*(ask|reach)\w* (a )?US border officer/im : /^\d+\. (?!Не |Ему не ).*(просить|попросить) убежища у пограничника/im);
        expect(text).toContain(texts(lang)("route.notesHeader", { date: lang === "en" ? "29 Nov 2026" : "29 ноября 2026 г." }));
      }
    }
    expect(seen.size).toBeGreaterThan(50);
  }, 60_000);

  it("the question count never jumps: 'Question n of up to 7', whatever turns out not to apply", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/route");
    const progress: string[] = [];
    for (const a of ["who.m", "loc.r", "visa.y", "draft.s", "views.p"]) {
      progress.push(user.lastBotMessage()!.text!.split("\n").find((l) => l.startsWith("Question"))!);
      await answer(user, en, [a]);
    }
    // With a visa the question about travelling companions is skipped; the count still reads "up to 7".
    expect(progress).toEqual([1, 2, 3, 4, 5].map((n) => en("guided.progress", { n, max: 7 })));
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
    expect(message.text).toContain(en("guided.progress", { n: 3, max: 7 }));
  });

  it("a 429 or a 5xx inside a guided step is retried and counted, and the step completes", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/route");
    const question = user.lastBotMessage()!;
    await answer(user, en, ["who.m"]);
    tb.tg.failures.push({ method: "editMessageText", code: 429, description: "Too Many Requests: retry after 1", retryAfter: 1 });
    await answer(user, en, ["loc.a"]);
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
    await answer(user, en, ["who.m", "loc.a"]);
    await user.send("/help");
    expect(firstLine(user.lastBotMessage()!.text!)).toBe(firstLine(en("help.text", { username: "x", disclaimer: "" })));
    await user.pressData("g:visa:n", question);
    expect(question.text).toContain(en("guided.questions.draft.text"));
  });

  it("a restart mid-conversation continues where the user was", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "ru" });
    await user.send("/route");
    await answer(user, ru, ["who.m", "loc.a"]);
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
    await answer(user, en, ["who.m", "loc.a", "visa.n", "draft.s", "views.p", "skip", "group.f"]);
    const route = user.lastBotMessage()!;
    await user.tapRepeatedly((route.reply_markup!.inline_keyboard.flat().find((b) => b.text === en("buttons.summary")) as { callback_data: string }).callback_data, route, 2);
    const summaries = user.botMessages().filter((m) => m.text?.startsWith(en("route.summary.title")));
    expect(summaries).toHaveLength(1);
    const text = summaries[0]!.text!;
    const fact = (q: string, a: string) => `• ${en(`guided.questions.${q}.label`)}: ${en(`guided.questions.${q}.facts.${a}`)}`;
    for (const line of [fact("loc", "a"), fact("visa", "n"), fact("draft", "s"), fact("views", "p"), `• ${en("guided.questions.rec.label")}: ${en("guided.notSaid")}`, fact("group", "f")]) expect(text).toContain(line);
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
