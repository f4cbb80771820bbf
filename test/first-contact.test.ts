import { Api } from "grammy";
import { afterEach, describe, expect, it } from "vitest";
import { startupJobs } from "../src/run/jobs.js";
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
    const run = (mode: typeof webhook | undefined) => startupJobs(tb.bot, tb.app.storage, tb.app.deps.i18n, tb.app.deps.logger, mode);
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

describe("asking for someone close", () => {
  it.each(["ru", "en"] as const)("%s: from /start, questions about the other person, and a route that speaks to the one asking", async (lang) => {
    tb = await startTestBot({ bookingUrl: "https://firm.example/book" });
    const t = lang === "ru" ? ru : en;
    const mother = tb.user({ language_code: lang });
    await mother.send("/start ru_sh".replace("ru", lang));
    await mother.press(t("buttons.relative"));
    let text = mother.lastBotMessage()!.text!;
    expect(text).toContain(t("guided.introOther", { max: 6 }));
    expect(text).toContain(t("guided.progress", { n: 1, max: 6 }));
    expect(text).toContain(t("guided.questions.loc.textOther"));
    expect(text).not.toContain(t("guided.questions.loc.text"));
    for (const [q, a] of [["loc", "a"], ["visa", "n"], ["draft", "s"], ["views", "p"], ["rec", "n"], ["group", "a"]] as const) {
      if (q !== "loc") expect(mother.lastBotMessage()!.text, q).toContain(t(`guided.questions.${q}.textOther`));
      await mother.press(t(`guided.questions.${q}.answers.${a}`));
    }
    text = mother.lastBotMessage()!.text!;
    expect(firstLine(text)).toBe(t("route.titleOther"));
    const lines = [...text.matchAll(/^\d+\. (.+)$/gm)].map((m) => m[1]);
    // What to send, how to talk safely, what the person must not do, what to do if they are held, and the consultation.
    expect(lines.slice(0, 3)).toEqual([t("route.steps.send.lead"), t("route.steps.talk-safely.lead"), t("route.stepsOther.no-border.lead")]);
    expect(lines).toContain(t("route.steps.if-held.lead"));
    expect(lines.at(-1)).toBe(t("route.stepsOther.consult.lead"));
    // The route is written to the one asking: nothing tells them to leave Russia themselves.
    expect(lines).not.toContain(t("route.steps.leave.lead"));
    expect(mother.buttons().map((b) => b.text)).toEqual(expect.arrayContaining([t("buttons.guideRu"), t("buttons.shareLink"), t("buttons.book")]));
    await mother.press(t("buttons.guideRu"));
    expect(mother.lastBotMessage()!.document!.file_name).toBe(ru("guide.filename"));
  });

  it("is also the first answer of 'My situation', and the relatives topic carries its buttons", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "ru" });
    await user.send("/route");
    expect(user.lastBotMessage()!.text).toContain(ru("guided.questions.who.text"));
    await user.press(ru("guided.questions.who.answers.o"));
    expect(user.lastBotMessage()!.text).toContain(ru("guided.questions.loc.textOther"));
    expect(user.lastBotMessage()!.text).toContain(ru("guided.progress", { n: 2, max: 7 }));
    await user.send("/start ru-relatives");
    const labels = user.buttons().map((b) => b.text);
    expect(labels).toEqual(expect.arrayContaining([ru("buttons.relative"), ru("buttons.shareLink"), ru("buttons.guideRu")]));
    await user.press(ru("buttons.shareLink"));
    expect(firstLine(user.lastBotMessage()!.text!)).toBe(firstLine(ru("share.text", { link: "" })));
  });
});
