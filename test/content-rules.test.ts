import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CONTENT_DIR } from "../src/app.js";
import { encodeAnswers, forOther, nextQuestion } from "../src/bot/features/guided/answers.js";
import { routeSteps } from "../src/bot/features/guided/route.js";
import { routeCard, routeDetailsScreen, routeNotes } from "../src/bot/features/guided/screens.js";
import { htmlToText } from "../src/telegram/html.js";
import type { Content } from "../src/content/content.js";
import { createI18n, localeKeys, readLocales } from "../src/i18n.js";
import { LOCALES_DIR } from "../src/app.js";
import { buttonTitleProblems, everyAnswerCombination, gradeWordingProblems, MENTIONS } from "../tools/content-audit.js";
import { acronymProblems, languageProblems, readGlossary } from "../tools/content-language.js";
import { copyProblems, gradeProblems, readVerifiedList } from "../tools/verified-list.js";
import { startTestBot, type TestBot } from "./support/harness.js";
import { labelsOf, notesOn, upTo } from "./support/notes.js";
import { en, ru, texts, type Texts } from "./support/texts.js";

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

/** The USCIS fee rules: for people in the US, whose step is about filing. */
const FEE_RULES = ["fee-rejection", "fees-2026", "fees", "fee-stay-ended"];

/** The label a note line carries for its item: "(reported)", "(confirmed as of …, not re-checked since)", or nothing for a confirmed, re-checked item. */
function noteLabel(content: Content, t: Texts, lang: "ru" | "en", id: string): string {
  const labels = labelsOf(content, t, lang, id);
  return labels.length === 0 ? "" : ` (${labels.join(", ")})`;
}

/** Every note line on a screen ends with an item's short text; its label must follow that item's grade. */
function expectLabels(content: Content, t: Texts, lang: "ru" | "en", text: string, where: string) {
  for (const line of text.split("\n").filter((l) => l.startsWith("• "))) {
    const id = notesOn(content, line, t)[0];
    if (id === undefined) continue;
    expect(line.slice(0, line.indexOf(": ")), `${where}: ${id}`).toMatch(new RegExp(`${noteLabel(content, t, lang, id).replace(/[()]/g, "\\$&")}$`));
  }
}

describe("the content rules, through the bot", () => {
  it("every route and its details, in both languages: fee notes on every fee step and on no one outside the US, one 'sources up to' per screen that covers every note of the list, labels that follow the grade, the border's reasons, the deadline, the entry risks, and the details saying which steps they repeat", async () => {
    tb = await start();
    const content = tb.app.deps.content;
    const seen = new Set<string>();
    let feeSteps = 0;
    // One reader per language, who opens every distinct route through the bot in turn.
    const users = { ru: tb.user({ language_code: "ru" }), en: tb.user({ language_code: "en" }) };
    for (const user of Object.values(users)) await user.send("/start");
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
        const lead = (step: string) => t(`route.${t(`route.stepsOther.${step}.lead`) !== `route.stepsOther.${step}.lead` && own === "stepsOther" ? "stepsOther" : "steps"}.${step}.lead`);
        const user = users[lang];
        await user.pressData(`R:${code}`);
        const route = user.lastBotMessage()!.text!;
        // The pages of step details, as the bot renders them for the details button (the same screens; pressing every page of
        // every route through the bot as well would double the suite's longest file; tests of the pages' buttons go through it).
        const view = { t: tb.app.deps.i18n.t(lang), lang, me: { username: tb.tg.botInfo.username! } };
        const details: string[] = [];
        const detailButtons: string[][] = [];
        for (let page = 1; ; page++) {
          const screen = routeDetailsScreen(view, tb.app.deps, code, page);
          if (screen === undefined) break;
          details.push(htmlToText(screen.html));
          detailButtons.push(screen.keyboard.flat().map((b) => ("callback_data" in b ? b.callback_data! : "")));
        }
        expect(details.length, `${lang} ${code}: details`).toBeGreaterThan(0);
        const where = `${lang} ${code}`;
        // One "as of" per screen: on the route, its own notes; on every page of the details, all the details' notes alike.
        const routeNotes = notesOn(content, route, t);
        if (routeNotes.length > 0) expect(route, `${where} route`).toContain(t("route.notesHeader", { month: upTo(content, lang, routeNotes) }));
        const detailNotes = notesOn(content, details.join("\n"), t);
        expectQualified(content, routeNotes, `${where} route`);
        details.forEach((text, i) => expectQualified(content, notesOn(content, text, t), `${where} details ${i + 1}`));
        details.forEach((text, i) => {
          if (notesOn(content, text, t).length > 0) expect(text, `${where} details ${i + 1}`).toContain(t("route.notesHeader", { month: upTo(content, lang, detailNotes) }));
        });
        for (const [name, text] of [["route", route], ...details.map((d, i) => [`details ${i + 1}`, d] as const)] as const) {
          expectLabels(content, t, lang, text, `${where} ${name}`);
          expect(text.split(t("route.notesHeader", { month: "" }).split(" (")[0]!).length, `${where} ${name}: one "as of"`).toBeLessThanOrEqual(2);
          // A page of the details is as short as a card, unless it holds one step that cannot share a page.
          if (name !== "route" && (text.match(/^\d+\. /gm) ?? []).length > 1) expect(text.length, `${where} ${name}`).toBeLessThanOrEqual(1200);
          // No step is a question put back to the reader ("Not sure about your visa?", "Travelling with family?"): every step is a statement.
          expect(text, `${where} ${name}`).not.toMatch(/^\d+\. [^\n]*\?$/m);
        }
        // A topic opened from a page of the details comes back to that page.
        detailButtons.forEach((data, i) => {
          for (const d of data.filter((x) => x.startsWith("t:"))) expect(d, `${where} details ${i + 1}`).toMatch(new RegExp(`:rd\\.${i + 1}\\.${code.replace(/[.]/g, "\\.")}$`));
        });
        // The details repeat only the steps with more to say; when some are left out, the first page names those it has.
        const numbered = [...details.join("\n").matchAll(/^(\d+)\. /gm)].map((m) => Number(m[1]));
        if (numbered.length < keys.length) expect(details[0], `${where} details`).toContain(t("route.detailsSome", { steps: numbered.join(", ") }));
        const all = `${route}\n${details.join("\n")}`;
        // A step that mentions fees carries the fee note, on the route and on its details.
        for (const step of keys) {
          const text = ["lead", "more"].map((part) => t(`route.${own}.${step}.${part}`)).join(" ");
          for (const mention of MENTIONS.filter((m) => m.words[lang].test(text))) {
            feeSteps++;
            const short = t(`updates.items.${mention.keep}.short`);
            expect(route, `${where} route: ${step}`).toContain(short);
            expect(details.join("\n"), `${where} details: ${step}`).toContain(short);
          }
        }
        // USCIS's partial resumption never without the hold it resumes from (a reader saw "would resume" and no hold).
        if (all.includes(t("updates.items.uscis-partial.short"))) expect(all, `${where}: uscis-hold`).toContain(t("updates.items.uscis-hold.short"));
        // No USCIS fee rule for anyone outside the US: none of their steps is about filing.
        if (answers.loc !== "u") for (const fee of FEE_RULES) expect(all, `${where}: ${fee}`).not.toContain(t(`updates.items.${fee}.short`));
        // Every border "why" cites the proclamation and the end of CBP One, on the route itself.
        if (keys.some((k) => ["no-border", "at-border", "at-border-visa"].includes(k))) for (const reason of ["proclamation", "cbp-one"]) expect(route, `${where}: ${reason}`).toContain(t(`updates.items.${reason}.short`));
        // At the border, "never cross illegally" is in the route's own line, and no step says "before the border".
        if (answers.loc === "b") {
          expect(route).toContain(lead(answers.visa === "y" ? "at-border-visa" : "at-border"));
          expect(lead(answers.visa === "y" ? "at-border-visa" : "at-border")).toMatch(lang === "en" ? /never cross illegally/i : /незаконно/);
          for (const step of ["phone", "phone-russia"]) expect(route).not.toContain(t(`route.steps.${step}.lead`));
        }
        // In the US, the one-year deadline is a line of the route, and talking to the attorney is no reason to wait.
        if (answers.loc === "u") {
          expect(route).toContain(lead("us-file"));
          expect(lead("us-file")).toMatch(lang === "en" ? /within one year.*(do not|should not) put off/ : /в течение года.*не откладыва/);
        }
        // With a visa, or maybe one: the risks at entry in the route's line, and dated, with their grades, one tap away.
        const visaStep = keys.find((k) => ["visa-fly", "visa-fly-summons", "visa-check", "visa-check-res", "visa-check-summons", "at-border-visa"].includes(k));
        if (visaStep !== undefined) {
          expect(lead(visaStep)).toMatch(lang === "en" ? /held on arrival get no bond from a judge/ : /задержанных при въезде судья под залог не отпускает/);
          for (const risk of ["bond-border", "expedited-removal"]) expect(all, `${where}: ${risk}`).toContain(t(`updates.items.${risk}.short`));
        }
      }
    }
    expect(seen.size).toBeGreaterThan(100);
    expect(feeSteps).toBeGreaterThan(20);
  }, 300_000);

  it("every topic the changes affect carries its dated notes, says how far their sources run, and labels each note by its grade", async () => {
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
        expectLabels(content, t, lang, text, `${lang} ${topic.id}`);
        for (const note of content.notesFor(topic.id)) expect(text, `${lang}/${topic.id}/${note.id}`).toContain(t(`updates.items.${note.id}.short`));
        expectQualified(content, notesOn(content, text, t), `${lang} ${topic.id}`);
      }
    }
  });
});

/**
 * A note never shown without those that qualify it (updates.json, shownWith): "served after 7 days"
 * without "the ban may start the day the summons is sent" reads as a week's grace (8b, 8c); USCIS's
 * resumption without its hold (3c, 3a) reads as if nothing had stopped.
 */
function expectQualified(content: Content, shown: readonly string[], where: string): void {
  for (const id of shown) for (const other of content.updates.all.find((i) => i.id === id)!.shownWith ?? []) expect(shown, `${where}: ${id} without ${other}`).toContain(other);
}

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
  it("'lean on your political views' is a step only for someone who said they have views; anyone else is asked to give the attorney all their reasons for leaving, which never reads as 'come up with reasons'", () => {
    for (const answers of everyAnswerCombination()) {
      if (nextQuestion(answers) !== undefined) continue;
      const steps = routeSteps(answers);
      const said = answers.views === "p" || answers.views === "v";
      expect(steps.includes("case"), JSON.stringify(answers)).toBe(said);
      expect(steps.includes("case-reasons"), JSON.stringify(answers)).toBe(!said);
    }
    // Credibility is the case: the reasons are the person's own, told to the attorney, not thought up.
    for (const own of ["steps", "stepsOther"]) {
      // "Why you are leaving" would not fit someone already in the US: the reasons for leaving, all of them.
      expect(ru(`route.${own}.case-reasons.lead`)).toMatch(/^(Назовите адвокату|Пусть он назовёт адвокату) все причины отъезда/);
      expect(en(`route.${own}.case-reasons.lead`)).toMatch(/^(Tell the attorney all your|They should give the attorney all their) reasons for leaving/);
    }
  });

  it("a route picks a note together with the notes that qualify it, or not at all, whatever the room", async () => {
    tb = await start();
    const deps = tb.app.deps;
    let checked = 0;
    for (const answers of everyAnswerCombination()) {
      if (nextQuestion(answers) !== undefined) continue;
      const steps = routeSteps(answers);
      for (let limit = 0; limit <= 7; limit++) {
        const picked = routeNotes(deps, steps, limit).map((n) => n.id);
        expectQualified(deps.content, picked, `${JSON.stringify(answers)}, room for ${limit}`);
        if (picked.includes("exit-ban")) checked++;
      }
    }
    // Routes through Russia, the ones that showed the 7 days alone before (3,280 of them at the route screen's 5 notes).
    expect(checked).toBeGreaterThan(1000);
  });

  it("the card a relative forwards is written for where the person is: the deadline in the US, never crossing illegally at the border, the risks at entry with a visa, and no 'before a border' for someone already in the US; every card carries its dated reasons, says how far its sources run and the day it was made", async () => {
    tb = await start();
    const deps = tb.app.deps;
    const view = { t: deps.i18n.t("en"), lang: "en" as const, me: { username: "asylum_bot" } };
    let cards = 0;
    for (const answers of everyAnswerCombination()) {
      if (answers.who !== "o" || nextQuestion(answers) !== undefined) continue;
      const card = routeCard(view, deps, encodeAnswers(answers));
      expectQualified(deps.content, notesOn(deps.content, card, ru), `card ${JSON.stringify(answers)}`);
      const his = routeSteps({ ...answers, who: "m" });
      cards++;
      for (const step of his.filter((k) => !k.startsWith("phone") && k !== "consult")) expect(card, `${step} ${JSON.stringify(answers)}`).toContain(ru(`route.steps.${step}.lead`));
      if (answers.loc === "u") {
        expect(card).toContain(ru("route.steps.us-file.lead"));
        expect(card).not.toContain(ru("route.card.delete"));
      } else expect(card).toContain(ru("route.card.delete"));
      if (answers.loc === "b") expect(card).toMatch(/Никогда не пересекайте границу незаконно/);
      // In Russia the bot's link may not open: the phone, which needs no Telegram, is named as the way.
      expect(card.includes(ru("route.card.noTelegram"))).toBe(answers.loc === "r");
      expect(card).toMatch(/\(источники — на [а-я]+ 20\d\d г\.\)\. Карточка составлена \d{1,2} [а-я]+ 20\d\d года\./);
      // Read away from the bot, it carries the dated reasons that change what he must do (the fee rule, courthouse arrests…).
      for (const item of routeNotes(deps, his.filter((k) => !k.startsWith("phone") && k !== "consult"), 0)) expect(card, `${item.id} ${JSON.stringify(answers)}`).toContain(ru(`updates.items.${item.id}.short`));
      expect(card.length).toBeLessThanOrEqual(4096);
      if (his.some((k) => ["visa-fly", "visa-fly-summons", "visa-check", "visa-check-res", "visa-check-summons", "at-border-visa"].includes(k))) expect(card).toContain("задержанных при въезде судья под залог не отпускает");
    }
    expect(cards).toBeGreaterThan(500);
  });

  it("'leave before a summons' never reads as time to spare: a summons bans leaving even unseen, on every variant of the step (8b)", () => {
    for (const own of ["steps", "stepsOther"]) {
      for (const key of ["leave", "leave-if"]) {
        expect(ru(`route.${own}.${key}.lead`), `${own}.${key}`).toMatch(/выезд запрещён, даже если (вы её не видели|он её не видел)/);
        expect(en(`route.${own}.${key}.lead`), `${own}.${key}`).toMatch(/it bans leaving even if (you|they) never see it/);
      }
    }
    // "Expecting a summons", "other", or no answer: the same step, so the same warning (route.ts).
    for (const draft of ["n", "e", "o", undefined]) expect(routeSteps({ who: "m", loc: "r", visa: "n", ...(draft === undefined ? {} : { draft }), views: "n", rec: "n" })).toContain("leave");
  });

  it("a man with a summons is told plainly what the sources and a US attorney can and cannot say about a Russian exit ban, with no organisation invented", () => {
    for (const own of ["steps", "stepsOther"]) {
      expect(ru(`route.${own}.summons.more`)).toMatch(/Источники этого бота не называют никого, кто консультирует по российским запретам на выезд/);
      expect(ru(`route.${own}.summons.more`)).toMatch(/российское право — не его область/);
      expect(en(`route.${own}.summons.more`)).toMatch(/name no one who advises on Russian exit bans/);
      // The lead warns; it does not send him to a US immigration attorney about a Russian exit ban.
      expect(ru(`route.${own}.summons.lead`)).not.toMatch(/адвокат/);
    }
  });

  it("someone held in Russia or a third country: the 24:18 promise is the host's, Russian law is not a US immigration attorney's field, and no Russian attorney or organization is named", () => {
    expect(ru("urgent.callFirm")).toMatch(/ведущий, Майкл Левитис, сказал.*\(24:18\)/);
    expect(en("urgent.callFirm")).toMatch(/the host, Michael Levites, said.*\(24:18\)/);
    expect(ru("urgent.callFirm")).toMatch(/^⚖️ Российское право и законы других стран — не область иммиграционного адвоката в США/);
    expect(en("urgent.callFirm")).toMatch(/^⚖️ Russian law and other countries' law are not a US immigration attorney's field/);
    expect(ru("urgent.callFirm")).not.toMatch(/адвокат говорил/);
    expect(en("urgent.callFirm")).not.toMatch(/the attorney said/);
    expect(ru("urgent.russia.silent")).toMatch(/ни о российских адвокатах или организациях/);
    expect(en("urgent.russia.silent")).toMatch(/nor any Russian attorney or organization/);
  });

  it("after a summons, no route sends him to a visa interview or a flight unless he can leave Russia lawfully, and that step comes after the exit-ban warning", () => {
    const VISA_STEPS = ["visa-fly", "visa-check", "visa-check-res", "visa-options", "visa-options-res"];
    let routes = 0;
    for (const answers of everyAnswerCombination()) {
      if (nextQuestion(answers) !== undefined || answers.loc !== "r" || answers.draft !== "s") continue;
      const keys = routeSteps(answers);
      routes++;
      expect(keys.filter((k) => VISA_STEPS.includes(k)), JSON.stringify(answers)).toEqual([]);
      const visa = keys.find((k) => k.startsWith("visa-"))!;
      expect(visa, JSON.stringify(answers)).toMatch(/-summons$/);
      expect(keys.indexOf(visa)).toBeGreaterThan(keys.indexOf("summons"));
    }
    expect(routes).toBeGreaterThan(10);
    for (const own of ["steps", "stepsOther"]) {
      for (const step of ["visa-fly-summons", "visa-check-summons", "visa-options-summons"]) {
        expect(ru(`route.${own}.${step}.lead`)).toMatch(/^Если (можете|он может) законно выехать из России, /);
        expect(en(`route.${own}.${step}.lead`)).toMatch(/^Only if (you|they) can leave Russia lawfully/);
        expect(ru(`route.${own}.${step}.more`)).toMatch(/После повестки выезд может быть запрещён/);
        expect(en(`route.${own}.${step}.more`)).toMatch(/After a summons, leaving may be banned/);
      }
      // Astana or Warsaw, with its condition and the Warsaw caveat (list 9a), wherever a route names them.
      for (const step of ["visa-options", "visa-options-summons", "visa-check", "visa-check-summons"]) {
        expect(ru(`route.${own}.${step}.more`), step).toMatch(/Варшав[аы] .*(почти недоступна|добраться трудно)/);
        expect(en(`route.${own}.${step}.more`), step).toMatch(/Warsaw is hard to reach/);
      }
    }
    // The third-country card (typed "I'm in Georgia without a visa") gives the same rule, with its condition and the caveat.
    expect(ru("place.visa")).toMatch(/^Без визы США: с сентября 2025 года россиянам без вида на жительство в другой стране собеседование на визу США проводят только в Астане или Варшаве, а до Варшавы добраться трудно/);
    expect(en("place.visa")).toMatch(/^Without a US visa: since September 2025, Russians without legal residence in another country have US visa interviews only in Astana or Warsaw, and Warsaw is hard to reach/);
  });

  it("acronyms are explained where a Russian screen first names them, button labels are their topics' titles, confirmed items never read 'reported', English says 'attorney': each check catches a planted slip", async () => {
    tb = await start();
    const deps = tb.app.deps;
    const glossary = readGlossary(join(SOURCE, "CONTENT-GUIDE.md"));
    expect(glossary.acronyms.map((a) => a.acronym)).toEqual(expect.arrayContaining(["USCIS", "DHS", "ICE", "CBP One", "EOIR", "parole"]));
    expect(acronymProblems("Миграционная служба США (USCIS) отклонит заявление. Позже USCIS начинает высылку.", glossary)).toEqual([]);
    expect(acronymProblems("ICE задерживает людей прямо в судах.", glossary)).toEqual([expect.stringContaining("ICE is not explained")]);
    expect(acronymProblems("Запись через CBP One прекращена.", glossary)).toEqual([expect.stringContaining("CBP One is not explained")]);
    // Nothing on the real screens: content:check (test/content-check.test.ts) renders every one of them with this check.
    expect(buttonTitleProblems(deps)).toEqual([]);
    expect(gradeWordingProblems(deps)).toEqual([]);
    const planted = (lang: "ru" | "en", key: string, value: string) => {
      const resources = structuredClone(deps.i18n.resources) as Record<string, Record<string, unknown>>;
      const path = key.split(".");
      let node = resources[lang]!;
      for (const part of path.slice(0, -1)) node = node[part] as Record<string, unknown>;
      node[path.at(-1)!] = value;
      return { ...deps, i18n: createI18n(resources as never) };
    };
    expect(buttonTitleProblems(planted("ru", "topics.suspicion.button", "Что вызывает подозрения"))).toEqual([expect.stringContaining("topics.suspicion.button (ru)")]);
    expect(gradeWordingProblems(planted("ru", "updates.items.bond-litigation.short", "Суды спорят; по сообщениям, судьи отказывают"))).toEqual([expect.stringContaining("bond-litigation.short (ru)")]);
    expect(languageProblems(planted("en", "buttons.lawyer", "⚖️ Talk to a lawyer").i18n, deps.content, glossary)).toEqual([expect.stringContaining('"lawyer" is rejected')]);
    // The one term, on buttons and in text alike.
    expect(en("buttons.lawyer")).toMatch(/attorney/);
    expect(en("buttons.summary")).toMatch(/attorney/);
  });
});
