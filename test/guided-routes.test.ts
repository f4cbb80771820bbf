import { afterEach, describe, expect, it } from "vitest";
import { encodeAnswers, nextQuestion } from "../src/bot/features/guided/answers.js";
import { routeSteps } from "../src/bot/features/guided/route.js";
import { everyAnswerCombination } from "../tools/content-audit.js";
import { answer, steps } from "./support/guided.js";
import { startTestBot, type TestBot } from "./support/harness.js";
import { notesOn, upTo } from "./support/notes.js";
import { en, ru, texts } from "./support/texts.js";

/**
 * What the guided conversation leads to: the routes and the summary for the lawyer, read as the
 * user sees them. The conversation's mechanics (what it carries from step to step, Back, Cancel,
 * double taps, typed text meanwhile, restarts, what it keeps in storage) are in guided.test.ts.
 */

let tb: TestBot;
afterEach(async () => {
  expect(tb.tg.rejected, "Bot API calls rejected").toEqual([]);
  await tb.close();
});

/**
 * The six readers of the guided flow (and others: abroad with legal residence, at the border with a visa), started from "My
 * situation", which answers "who is this for". `notes`: dated reasons the route shows; `absent`: notes it must not show (no
 * USCIS fee rule to someone outside the US whose step is not about filing).
 */
const FEE_RULES = ["fee-rejection", "fees-2026", "fees", "fee-stay-ended"];
const ROUTES: { name: string; answers: string[]; first: string[]; notes: string[]; absent?: string[] }[] = [
  { name: "abroad with no visa", answers: ["loc.a", "visa.n", "res.n", "draft.s", "views.p", "rec.n"], first: ["no-border", "visa-options", "qualify", "case", "phone"], notes: ["turn-backs", "proclamation", "cbp-one"], absent: FEE_RULES },
  { name: "abroad with no visa, with legal residence there", answers: ["loc.a", "visa.n", "res.y", "draft.n", "views.p", "rec.n"], first: ["no-border", "visa-options-res", "case", "phone"], notes: ["turn-backs", "proclamation", "cbp-one"], absent: FEE_RULES },
  { name: "abroad, not sure about the visa", answers: ["loc.a", "visa.u", "res.n", "draft.n", "views.v", "rec.n", "group.a"], first: ["no-border", "visa-check", "case", "phone"], notes: ["turn-backs", "proclamation", "cbp-one"], absent: FEE_RULES },
  { name: "in Russia with a visa", answers: ["loc.r", "visa.y", "draft.e", "views.p", "rec.n", "group.a"], first: ["leave", "visa-fly", "qualify", "case", "phone-russia"], notes: ["bond-border", "exit-ban"], absent: FEE_RULES },
  { name: "in Russia without a visa", answers: ["loc.r", "visa.n", "draft.n", "views.n", "rec.n"], first: ["leave", "no-border", "visa-options", "case-reasons", "phone-russia"], notes: ["turn-backs", "proclamation", "cbp-one"], absent: FEE_RULES },
  { name: "in Russia with a summons", answers: ["loc.r", "visa.n", "draft.s", "views.p", "rec.n"], first: ["summons", "no-border", "visa-options-summons"], notes: ["turn-backs", "proclamation", "cbp-one"], absent: FEE_RULES },
  { name: "in Russia with a visa and a summons", answers: ["loc.r", "visa.y", "draft.s", "views.p", "rec.n", "group.a"], first: ["summons", "visa-fly-summons", "qualify", "case"], notes: ["bond-border", "exit-ban"], absent: FEE_RULES },
  { name: "in the US", answers: ["loc.u", "draft.n", "views.p", "rec.y"], first: ["us-file", "us-hearings", "case", "record"], notes: ["fee-rejection", "courthouse-arrests"] },
  { name: "at the border", answers: ["loc.b", "visa.n", "draft.s", "views.p", "rec.n", "group.f"], first: ["at-border", "qualify", "case", "group-family", "phone-now"], notes: ["turn-backs", "proclamation", "cbp-one", "bond-border"], absent: FEE_RULES },
  { name: "at the border with a visa, with family", answers: ["loc.b", "visa.y", "draft.n", "views.p", "rec.n", "group.f"], first: ["at-border-visa", "case", "group-family", "phone-now"], notes: ["bond-border", "proclamation", "cbp-one"], absent: FEE_RULES },
];

describe("the guided route", () => {
  for (const lang of ["en", "ru"] as const) {
    it.each(ROUTES)(`${lang}: $name`, async ({ answers, first, notes, absent }) => {
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
      for (const note of absent ?? []) expect(text, note).not.toContain(t(`updates.items.${note}.short`));
      expect(text).toContain(t("common.disclaimer"));
      // The questions and the route edit the greeting in place.
      expect(user.botMessages()).toHaveLength(1);
    });
  }
  it("no route for anyone outside the US presents asking at the border as a step to take, in either language", async () => {
    tb = await startTestBot();
    const seen = new Set<string>();
    // One reader per language opens every route in turn.
    const users = { ru: tb.user({ language_code: "ru" }), en: tb.user({ language_code: "en" }) };
    for (const user of Object.values(users)) await user.send("/start");
    for (const answers of everyAnswerCombination()) {
      if (nextQuestion(answers) !== undefined || answers.loc === "u") continue;
      const keys = routeSteps(answers);
      // Safety pin: outside the US without a valid visa, or unsure, the first thing said about getting there is not to go to the border.
      const first = keys.find((k) => !k.startsWith("send") && !["summons", "leave", "leave-if"].includes(k));
      expect(first, JSON.stringify(answers)).toBe(answers.loc === "b" ? (answers.visa === "y" ? "at-border-visa" : "at-border") : answers.visa === "y" ? (answers.loc === "r" && answers.draft === "s" ? "visa-fly-summons" : "visa-fly") : "no-border");
      const key = `${answers.who}|${keys.join(",")}`;
      if (seen.has(key)) continue;
      seen.add(key);
      for (const lang of ["ru", "en"] as const) {
        const user = users[lang];
        await user.pressData(`R:${encodeAnswers(answers)}`);
        const text = user.lastBotMessage()!.text!;
        // Safety pin: the 2022 instruction never appears as a step.
        expect(text).not.toMatch(lang === "en" ? /^\d+\. (?!Do not|They should not).*(ask|reach)\w* (a )?US border officer/im : /^\d+\. (?!Не |Ему не ).*(просить|попросить) убежища у (пограничника|сотрудника пограничной службы)/im);
        expect(text).toContain(lang === "en" ? "sources up to" : "источники — на");
      }
    }
    expect(seen.size).toBeGreaterThan(50);
  }, 120_000);
  it("the border step says plainly that the 2022 route no longer guarantees even a chance to apply, with its dated reasons on the route or one tap away", async () => {
    tb = await startTestBot();
    for (const [lang, t] of [["en", en], ["ru", ru]] as const) {
      const user = tb.user({ language_code: lang });
      await user.send("/route");
      await answer(user, t, ["who.m", "loc.a", "visa.n", "res.n", "draft.n", "views.p", "rec.n"]);
      const route = user.lastBotMessage()!.text!;
      // Safety pin: not "before talking to an attorney", which reads as the step after the call; and not "for most people",
      // which invites "maybe I am the exception": the list's own words, no guarantee even of a chance to apply.
      expect(t("route.steps.no-border.lead")).toMatch(lang === "en" ? /no longer guarantees even a chance to apply/ : /больше не гарантирует даже возможности подать заявление/);
      expect(t("route.steps.no-border.lead")).not.toMatch(/most people|для большинства/);
      // The two facts that closed the border in 2025, on the route itself: the proclamation and the end of CBP One.
      for (const reason of ["turn-backs", "proclamation", "cbp-one"]) expect(route, reason).toContain(t(`updates.items.${reason}.short`));
      await user.press(t("buttons.details"));
      const details = user.lastBotMessage()!.text!;
      for (const reason of ["turn-backs", "proclamation", "cbp-one", "bond-border", "deport-summonses"]) expect(details, reason).toContain(t(`updates.items.${reason}.short`));
    }
  });
  it("the question count never jumps: 'Question n of up to 7' after the uncounted 'who is this for', whatever turns out not to apply", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/route");
    const progress: string[] = [];
    for (const a of ["who.m", "loc.r", "visa.y", "draft.s", "views.p"]) {
      const line = user.lastBotMessage()!.text!.split("\n").find((l) => l.startsWith("Question"));
      if (a !== "who.m") progress.push(line!);
      else expect(line, "who is this for is not counted").toBeUndefined();
      await answer(user, en, [a]);
    }
    // In Russia the question about legal residence abroad is skipped, and with a visa the one about travelling companions; the count still reads "up to 7".
    expect(progress).toEqual([1, 2, 3, 4].map((n) => en("guided.progress", { n, max: 7 })));
  });

  it("a reader who follows the steps in order calls the attorney before /forget deletes the summary, and the last step asks for no channel the firm may lack", () => {
    for (const [t, attorney] of [[en, "attorney"], [ru, "адвокат"]] as const) {
      for (const key of ["phone", "phone-russia", "phone-now"]) {
        const lead = t(`route.steps.${key}.lead`);
        expect(lead.indexOf(attorney), `${key}: the attorney before /forget`).toBeGreaterThanOrEqual(0);
        expect(lead.indexOf(attorney)).toBeLessThan(lead.indexOf("/forget"));
      }
      // "Send the attorney your summary" cannot be done with a phone number alone: the step says what the summary is for.
      expect(t("route.steps.consult.lead")).not.toMatch(/send|перешлите|отправьте/i);
    }
  });
});

describe("the summary for the lawyer", () => {
  it("lists the answers as plain facts with the steps, in one plain-text message, sent once", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/route");
    await answer(user, en, ["who.m", "loc.a", "visa.u", "res.n", "draft.s", "views.p", "skip", "group.f"]);
    const route = user.lastBotMessage()!;
    await user.tapRepeatedly((route.reply_markup!.inline_keyboard.flat().find((b) => b.text === en("buttons.summary")) as { callback_data: string }).callback_data, route, 2);
    const summaries = user.botMessages().filter((m) => m.text?.startsWith(en("route.summary.title")));
    expect(summaries).toHaveLength(1);
    const text = summaries[0]!.text!;
    const fact = (q: string, a: string) => `• ${en(`guided.questions.${q}.label`)}: ${en(`guided.questions.${q}.facts.${a}`)}`;
    for (const line of [fact("loc", "a"), fact("visa", "u"), fact("res", "n"), fact("draft", "s"), fact("views", "p"), `• ${en("guided.questions.rec.label")}: ${en("guided.notSaid")}`, fact("group", "f")]) expect(text).toContain(line);
    expect(text).toContain(`1. ${en("route.steps.no-border.lead")}`);
    expect(text).toContain("+1 646-859-0205");
    expect(tb.tg.calls.find((c) => c.method === "sendMessage" && String(c.params.text).startsWith(en("route.summary.title")))!.params.parse_mode).toBeUndefined();
  });
});
