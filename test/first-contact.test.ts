import { Api } from "grammy";
import { afterEach, describe, expect, it } from "vitest";
import { encodeAnswers, nextQuestion, QUESTIONS } from "../src/bot/features/guided/answers.js";
import { routeSteps } from "../src/bot/features/guided/route.js";
import { keepProfileRegistered, registerWebhook } from "../src/run/jobs.js";
import { everyAnswerCombination } from "../tools/content-audit.js";
import { registerProfile } from "../src/run/profile.js";
import { startTestBot, type TestBot, TEST_TOKEN } from "./support/harness.js";
import { en, firstLine, ru } from "./support/texts.js";

let tb: TestBot;
afterEach(async () => {
  expect(tb.tg.rejected, "Bot API calls rejected").toEqual([]);
  await tb.close();
});

describe("first contact", () => {
  it("/start greets a Russian-speaking user in Russian, asks whom it is for, and shows the menu", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "ru" });
    await user.send("/start");
    const reply = user.lastBotMessage()!;
    expect(firstLine(reply.text!)).toBe(firstLine(ru("start.greeting", { date: "", disclaimer: "" })));
    expect(reply.text).toContain(ru("common.disclaimer"));
    expect(reply.text).toContain("21 октября 2022 года");
    expect(user.buttons().map((b) => b.text).slice(0, 2)).toEqual([ru("buttons.guided"), ru("buttons.relative")]);
    expect(user.buttons().map((b) => b.text)).toEqual(expect.arrayContaining([ru("buttons.topics"), ru("buttons.lawyer")]));
  });

  it("/start greets others in English", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "de" });
    await user.send("/start");
    expect(firstLine(user.lastBotMessage()!.text!)).toBe(firstLine(en("start.greeting", { date: "", disclaimer: "" })));
    expect(user.buttons().map((b) => b.text)).toContain(en("buttons.topics"));
  });

  it("Ukrainian, Belarusian and Kazakh apps get Russian", async () => {
    tb = await startTestBot();
    for (const code of ["uk", "be", "kk"]) {
      const user = tb.user({ language_code: code });
      await user.send("/start");
      expect(firstLine(user.lastBotMessage()!.text!)).toBe(firstLine(ru("start.greeting", { date: "", disclaimer: "" })));
    }
  });

  it("/help lists the commands in the user's language", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/help");
    const text = user.lastBotMessage()!.text!;
    for (const command of ["/start", "/topics", "/route", "/lawyer", "/forget", "/language"]) expect(text).toContain(command);
    expect(text).toContain(`@${tb.tg.botInfo.username}`);
  });

  it("/language switches languages and the choice is remembered over the app's language, across a restart", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/language");
    await user.press("Русский");
    expect(firstLine(user.lastBotMessage()!.text!)).toBe(firstLine(ru("start.menu", { disclaimer: "" })));
    tb = await tb.restart();
    await user.send("/start");
    expect(firstLine(user.lastBotMessage()!.text!)).toBe(firstLine(ru("start.greeting", { date: "", disclaimer: "" })));
    await user.press(ru("buttons.language"));
    await user.press("English");
    expect(firstLine(user.lastBotMessage()!.text!)).toBe(firstLine(en("start.menu", { disclaimer: "" })));
  });

  it("media gets a short reply with the menu", async () => {
    tb = await startTestBot();
    const user = tb.user();
    await user.message({ sticker: { file_id: "s", file_unique_id: "s", type: "regular", width: 1, height: 1, is_animated: false, is_video: false } });
    expect(firstLine(user.lastBotMessage()!.text!)).toBe(en("free.media"));
    expect(user.buttons().map((b) => b.text)).toContain(en("buttons.guided"));
  });

  it("in a group, commands get a pointer to the private chat and other messages are ignored", async () => {
    tb = await startTestBot();
    const groupId = -100123;
    const from = { id: 4242, is_bot: false, first_name: "G", language_code: "ru" };
    const chat = { id: groupId, type: "supergroup" as const, title: "Family" };
    await tb.tg.push({ update_id: tb.tg.nextUpdateId(), message: { message_id: 1, date: 1, chat, from, text: "/start", entities: [{ type: "bot_command", offset: 0, length: 6 }] } });
    const replies = tb.tg.visible(groupId);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toBe(ru("group.privateOnly"));
    const link = replies[0]!.reply_markup!.inline_keyboard[0]![0]!;
    expect("url" in link && link.url).toBe(`https://t.me/${tb.tg.botInfo.username}?start=ru`);
    await tb.tg.push({ update_id: tb.tg.nextUpdateId(), message: { message_id: 2, date: 1, chat, from, text: "hello everyone" } });
    expect(tb.tg.visible(groupId)).toHaveLength(1);
  });

  it("sets the bot's commands, description and short description in English, and in Russian for Russian-reading apps", async () => {
    tb = await startTestBot();
    const api = new Api(TEST_TOKEN, { fetch: tb.tg.fetch });
    await registerProfile(api, tb.app.deps.i18n);
    const commands = (code: string) => tb.tg.commands.get(`${JSON.stringify({ type: "all_private_chats" })}|${code}`) as { command: string; description: string }[];
    expect(commands("").map((c) => c.command)).toEqual(commands("ru").map((c) => c.command));
    expect(commands("").find((c) => c.command === "forget")!.description).toBe(en("commands.forget"));
    for (const code of ["ru", "uk", "be", "kk"]) {
      expect(commands(code).find((c) => c.command === "forget")!.description).toBe(ru("commands.forget"));
      expect(tb.tg.descriptions.get(code)).toEqual({ description: ru("profile.description"), short_description: ru("profile.shortDescription") });
    }
    expect(tb.tg.descriptions.get("")).toEqual({ description: en("profile.description"), short_description: en("profile.shortDescription") });
  });
});

describe("start-up jobs", () => {
  it("set the profile and the webhook once, and the webhook again after a start in polling mode removed it", async () => {
    tb = await startTestBot();
    const webhook = { url: "https://bot.example.org/telegram", secret: "s3cret", maxConnections: 40 };
    const run = async (mode: typeof webhook | undefined) => {
      await registerWebhook(tb.bot, tb.app.storage, tb.app.deps.logger, mode);
      await keepProfileRegistered(tb.bot, tb.app.storage, tb.app.deps.i18n, tb.app.deps.logger, { onFatal: (m) => expect.fail(m) }).done;
    };
    const calls = (method: string) => tb.tg.calls.filter((c) => c.method === method).length;
    await tb.bot.init();
    await run(webhook);
    await run(webhook);
    expect(calls("setWebhook")).toBe(1);
    expect(calls("setMyCommands")).toBe(5);
    await run(undefined);
    await tb.bot.api.deleteWebhook();
    await run(webhook);
    expect(calls("setWebhook")).toBe(2);
    expect(tb.tg.webhook?.url).toBe(webhook.url);
    expect(calls("setMyCommands")).toBe(5);
  });
});

/** The numbered lines of a route screen. */
const lines = (text: string) => [...text.matchAll(/^\d+\. (.+)$/gm)].map((m) => m[1]!);

describe("asking for someone close", () => {
  it.each(["ru", "en"] as const)("%s: someone asking for a person already held reaches the urgent lane from the first question, and only from that one", async (lang) => {
    tb = await startTestBot();
    const t = lang === "ru" ? ru : en;
    const mother = tb.user({ language_code: lang });
    await mother.send("/start");
    await mother.press(t("buttons.relative"));
    await mother.press(t("buttons.urgent"));
    expect(firstLine(mother.lastBotMessage()!.text!)).toBe(t("urgent.where.title"));
    // For oneself, and on the later questions, the button is not there.
    const self = tb.user({ language_code: lang });
    await self.send("/start");
    await self.press(t("buttons.guided"));
    expect(self.lastBotMessage()!.reply_markup!.inline_keyboard.flat().map((b) => b.text)).not.toContain(t("buttons.urgent"));
    await mother.send("/start");
    await mother.press(t("buttons.relative"));
    await mother.press(t("guided.questions.loc.answers.a"));
    expect(mother.lastBotMessage()!.reply_markup!.inline_keyboard.flat().map((b) => b.text)).not.toContain(t("buttons.urgent"));
  });

  it.each(["ru", "en"] as const)("%s: from /start, questions about the other person, and a route about them that fits where they are", async (lang) => {
    tb = await startTestBot({ bookingUrl: "https://firm.example/book" });
    const t = lang === "ru" ? ru : en;
    const mother = tb.user({ language_code: lang });
    await mother.send("/start ru_sh".replace("ru", lang));
    await mother.press(t("buttons.relative"));
    let text = mother.lastBotMessage()!.text!;
    expect(text).toContain(t("guided.introOther", { max: 7 }));
    expect(text).toContain(t("guided.progress", { n: 1, max: 7 }));
    expect(text).toContain(t("guided.questions.loc.textOther"));
    expect(text).not.toContain(t("guided.questions.loc.text"));
    for (const [q, a] of [["loc", "a"], ["visa", "n"], ["res", "n"], ["draft", "s"], ["views", "p"], ["rec", "n"]] as const) {
      if (q !== "loc") expect(mother.lastBotMessage()!.text, q).toContain(t(`guided.questions.${q}.textOther`));
      await mother.press(t(`guided.questions.${q}.answers.${a}`));
    }
    text = mother.lastBotMessage()!.text!;
    expect(firstLine(text)).toBe(t("route.titleOther"));
    // What to send and how they stay safe at a border, what the person must not do, what to do if held, and the consultation: all about them.
    const shown = lines(text);
    expect(shown.slice(0, 3)).toEqual([t("route.stepsOther.send-abroad.lead"), t("route.stepsOther.no-border.lead"), t("route.stepsOther.visa-options.lead")]);
    expect(shown).toContain(t("route.stepsOther.qualify.lead"));
    expect(shown).toContain(t("route.stepsOther.if-held.lead"));
    expect(shown.at(-1)).toBe(t("route.stepsOther.consult.lead"));
    const others = (tb.app.deps.i18n.resources[lang].route as { stepsOther: Record<string, unknown> }).stepsOther;
    const aboutThem = new Set(Object.keys(others).map((k) => t(`route.stepsOther.${k}.lead`)));
    for (const line of shown) expect(aboutThem.has(line), line).toBe(true);
    // Nothing says "a channel that works in Russia" to someone whose son is abroad.
    expect(text).not.toContain(t("route.stepsOther.send-russia.lead"));
    expect(mother.buttons().map((b) => b.text)).toEqual(expect.arrayContaining([t("buttons.card"), t("buttons.book")]));
  });

  it.each(["ru", "en"] as const)("%s: the steps fit where the person is: in Russia, at the border, in the US", async (lang) => {
    tb = await startTestBot();
    const t = lang === "ru" ? ru : en;
    const user = tb.user({ language_code: lang });
    await user.send("/start");
    const route = async (code: string) => {
      await user.pressData(`R:${code}`);
      return { text: user.lastBotMessage()!.text!, buttons: user.buttons().map((b) => b.text) };
    };
    // In Russia: the offline guide by a channel that works there, leaving before a summons; no "if held in the US".
    let r = await route(encodeAnswers({ who: "o", loc: "r", visa: "n", draft: "n", views: "p", rec: "n" }));
    expect(lines(r.text).slice(0, 2)).toEqual([t("route.stepsOther.send-russia.lead"), t("route.stepsOther.leave.lead")]);
    expect(r.text).not.toContain(t("route.stepsOther.if-held.lead"));
    expect(r.buttons).toContain(t("buttons.guideRu"));
    // In the US: the card, filing and hearings about them, and what to do if ICE detains them; nothing about Russia's channels.
    r = await route(encodeAnswers({ who: "o", loc: "u", draft: "n", views: "p", rec: "n" }));
    expect(lines(r.text)).toEqual(expect.arrayContaining([t("route.stepsOther.send.lead"), t("route.stepsOther.us-file.lead"), t("route.stepsOther.us-hearings.lead"), t("route.stepsOther.if-held-us.lead")]));
    expect(r.text).not.toContain(t("route.stepsOther.send-russia.lead"));
    expect(r.text).toContain(t("updates.items.arrested-inside.short"));
    expect(r.buttons).not.toContain(t("buttons.guideRu"));
    // At the border: the card, what they must not do there, and what to do if they are detained there.
    r = await route(encodeAnswers({ who: "o", loc: "b", visa: "n", draft: "n", views: "p", rec: "n", group: "a" }));
    expect(lines(r.text)).toEqual(expect.arrayContaining([t("route.stepsOther.send-border.lead"), t("route.stepsOther.at-border.lead"), t("route.stepsOther.if-held-border.lead")]));
  });

  it.each(["ru", "en"] as const)("%s: where the person could be held, the urgent lane is one tap from the route, and the lawyer screen asks to prepare the person's views and visa", async (lang) => {
    tb = await startTestBot();
    const t = lang === "ru" ? ru : en;
    const user = tb.user({ language_code: lang });
    await user.send("/start");
    for (const loc of ["b", "u"] as const) {
      const code = encodeAnswers({ who: "o", loc, visa: loc === "b" ? "n" : undefined, draft: "n", views: "p", rec: "n", group: loc === "b" ? "a" : undefined });
      await user.pressData(`R:${code}`);
      await user.press(t("buttons.urgent"));
      expect(firstLine(user.lastBotMessage()!.text!)).toBe(firstLine(t("urgent.detained.title")));
      await user.press(t("buttons.back"));
      expect(firstLine(user.lastBotMessage()!.text!)).toBe(t("route.titleOther"));
      await user.press(t("buttons.lawyer"));
      const lawyer = user.lastBotMessage()!.text!;
      expect(lawyer).toContain(t("handoff.prepareOther"));
      expect(lawyer).not.toContain(t("handoff.prepare"));
    }
    // In Russia the person cannot be held in the US yet: no urgent lane on the route.
    await user.pressData(`R:${encodeAnswers({ who: "o", loc: "r", visa: "n", draft: "n", views: "p", rec: "n" })}`);
    expect(user.buttons().map((b) => b.text)).not.toContain(t("buttons.urgent"));
    // For oneself, the reader's own checklist.
    await user.pressData(`R:${encodeAnswers({ who: "m", loc: "r", visa: "n", draft: "n", views: "p", rec: "n" })}`);
    await user.press(t("buttons.lawyer"));
    expect(user.lastBotMessage()!.text).toContain(t("handoff.prepare"));
  });

  it("no question is asked whose answer is never used: each one changes some route, for oneself and for someone close", () => {
    for (const who of ["m", "o"]) {
      const full = [...everyAnswerCombination()].filter((a) => a.who === who && nextQuestion(a) === undefined);
      for (const q of QUESTIONS.filter((x) => x.id !== "who")) {
        const groups = new Map<string, Set<string>>();
        for (const a of full.filter((x) => x[q.id] !== undefined)) {
          const rest = JSON.stringify({ ...a, [q.id]: undefined });
          if (!groups.has(rest)) groups.set(rest, new Set());
          groups.get(rest)!.add(routeSteps(a).join(","));
        }
        expect([...groups.values()].some((routes) => routes.size > 1), `${who}: ${q.id}`).toBe(true);
      }
    }
  });

  it("each question is asked exactly where its answer can change the route: wherever it is asked some answer changes a step, and wherever it is not, no answer would", () => {
    const all = [...everyAnswerCombination()];
    const full = all.filter((a) => a.who !== undefined && nextQuestion(a) === undefined);
    // Wherever a question is asked (after the answers before it), its answers do not all lead to the same routes.
    const before = (a: (typeof all)[number], id: string) => JSON.stringify(QUESTIONS.slice(0, QUESTIONS.findIndex((q) => q.id === id)).map((q) => a[q.id] ?? null));
    const routesAfter = new Map<string, Map<string, Set<string>>>();
    for (const a of full) {
      for (const q of QUESTIONS.filter((x) => x.id !== "who" && a[x.id] !== undefined)) {
        const asked = `${q.id}|${before(a, q.id)}`;
        if (!routesAfter.has(asked)) routesAfter.set(asked, new Map());
        const byAnswer = routesAfter.get(asked)!;
        if (!byAnswer.has(a[q.id]!)) byAnswer.set(a[q.id]!, new Set());
        byAnswer.get(a[q.id]!)!.add(routeSteps(a).join(","));
      }
    }
    const same = (sets: Set<string>[]) => sets.every((set) => set.size === sets[0]!.size && [...set].every((r) => sets[0]!.has(r)));
    expect([...routesAfter].filter(([, byAnswer]) => same([...byAnswer.values()])).map(([asked]) => asked)).toEqual([]);
    expect(routesAfter.size).toBeGreaterThan(50);
    // Wherever a question is not asked, whatever its answer would have been changes nothing: the family question is not put to
    // someone settled abroad without a visa, and is put to everyone about to enter the US, visa or not, at the border.
    for (const done of all.filter((a) => a.who !== undefined && nextQuestion(a) === undefined)) {
      for (const q of QUESTIONS.filter((x) => done[x.id] === undefined)) {
        for (const answer of q.answers) expect(routeSteps({ ...done, [q.id]: answer }), `${q.id}=${answer} on ${JSON.stringify(done)}`).toEqual(routeSteps(done));
      }
    }
    const asks = (answers: Record<string, string>, id: string) => all.some((a) => JSON.stringify(a) === JSON.stringify(answers) && nextQuestion(a)?.id === id);
    expect(asks({ who: "m", loc: "b", visa: "y", draft: "n", views: "p", rec: "n" }, "group")).toBe(true);
    expect(asks({ who: "m", loc: "r", visa: "y", draft: "n", views: "p", rec: "n" }, "group")).toBe(true);
    expect(asks({ who: "m", loc: "a", visa: "n", res: "y", draft: "n", views: "p", rec: "n" }, "group")).toBe(false);
  });

  it.each(["ru", "en"] as const)("%s: the card for the person is written to him, in Russian, with his own steps and a link to the bot, sent once", async (lang) => {
    tb = await startTestBot();
    const t = lang === "ru" ? ru : en;
    const user = tb.user({ language_code: lang });
    await user.send("/start");
    const answers = { who: "o", loc: "a", visa: "n", res: "n", draft: "s", views: "p", rec: "n" } as const;
    await user.pressData(`R:${encodeAnswers(answers)}`);
    const route = user.lastBotMessage()!;
    const data = (user.buttons().find((b) => b.text === t("buttons.card")) as { callback_data: string }).callback_data;
    await user.tapRepeatedly(data, route, 2);
    const cards = user.botMessages().filter((m) => m.text?.startsWith(ru("route.card.title")));
    expect(cards).toHaveLength(1);
    const card = cards[0]!.text!;
    // His own route, written to him ("you"), without the steps about this chat.
    for (const key of routeSteps({ ...answers, who: "m" }).filter((k) => !k.startsWith("phone") && k !== "consult")) expect(card, key).toContain(ru(`route.steps.${key}.lead`));
    expect(card).not.toContain(ru("route.steps.phone.lead"));
    // Someone abroad will cross borders: the card tells him to delete it first.
    expect(card).toContain(ru("route.card.delete"));
    expect(card).toContain(`https://t.me/${tb.tg.botInfo.username}?start=ru_sh`);
    expect(card).toContain(ru("common.disclaimer"));
    // Read perhaps weeks later, far from the bot: how recent its sources are and the day it was made.
    const today = new Intl.DateTimeFormat("ru", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(new Date()).replace(/\s*г\.$/, " года");
    expect(card).toMatch(new RegExp(`21 октября 2022 года .*\\(источники — на [а-я]+ 20\\d\\d г\\.\\)\\. Карточка составлена ${today}\\.`));
    expect(card.length).toBeLessThanOrEqual(4096);
    expect(tb.tg.calls.find((c) => c.method === "sendMessage" && String(c.params.text).startsWith(ru("route.card.title")))!.params.parse_mode).toBeUndefined();
  });

  it("the summary for the lawyer is about the person: their facts and their steps, not the relative's own", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/start");
    await user.pressData(`R:${encodeAnswers({ who: "o", loc: "r", visa: "n", draft: "s", views: "p", rec: "n" })}`);
    await user.press(en("buttons.summary"));
    const text = user.lastBotMessage()!.text!;
    expect(text).toContain(en("route.summary.introOther"));
    expect(text).toContain(`1. ${en("route.stepsOther.summons.lead")}`);
    expect(text).not.toContain(en("route.stepsOther.send-russia.lead"));
    expect(text).toContain(en("route.summary.outroOther"));
  });

  it("is also the first answer of /route, and the relatives topic carries its buttons", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "ru" });
    await user.send("/route");
    expect(user.lastBotMessage()!.text).toContain(ru("guided.questions.who.text"));
    await user.press(ru("guided.questions.who.answers.o"));
    expect(user.lastBotMessage()!.text).toContain(ru("guided.questions.loc.textOther"));
    expect(user.lastBotMessage()!.text).toContain(ru("guided.progress", { n: 1, max: 7 }));
    await user.send("/start ru-relatives");
    const labels = user.buttons().map((b) => b.text);
    expect(labels).toEqual(expect.arrayContaining([ru("buttons.relative"), ru("buttons.shareLink"), ru("buttons.guideRu")]));
    await user.press(ru("buttons.shareLink"));
    expect(firstLine(user.lastBotMessage()!.text!)).toBe(firstLine(ru("share.text", { link: "" })));
  });
});
