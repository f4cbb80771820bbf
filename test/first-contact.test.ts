import { afterEach, describe, expect, it } from "vitest";
import { registerCommands } from "../src/run/commands.js";
import { Api } from "grammy";
import { startTestBot, type TestBot, TEST_TOKEN } from "./support/harness.js";

let tb: TestBot;
afterEach(() => {
  expect(tb.tg.rejected, "Bot API calls rejected").toEqual([]);
  tb.close();
});

describe("first contact", () => {
  it("/start greets a Russian-speaking user in Russian, with the notice and the menu", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "ru" });
    await user.send("/start");
    const reply = user.lastBotMessage()!;
    expect(reply.text).toContain("Здравствуйте");
    expect(reply.text).toContain("Общая информация, не юридическая консультация.");
    expect(user.buttons().map((b) => b.text)).toEqual(expect.arrayContaining(["📚 Темы", "🧭 Моя ситуация", "⚖️ Поговорить с адвокатом"]));
  });

  it("/start greets others in English", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "de" });
    await user.send("/start");
    expect(user.lastBotMessage()!.text).toContain("General information, not legal advice.");
    expect(user.buttons().map((b) => b.text)).toContain("📚 Topics");
  });

  it("Ukrainian, Belarusian and Kazakh apps get Russian", async () => {
    tb = await startTestBot();
    for (const code of ["uk", "be", "kk"]) {
      const user = tb.user({ language_code: code });
      await user.send("/start");
      expect(user.lastBotMessage()!.text).toContain("Здравствуйте");
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

  it("/language switches languages and the choice is remembered over the app's language", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/language");
    await user.press("Русский");
    expect(user.lastBotMessage()!.text).toContain("Меню");
    await user.send("/start");
    expect(user.lastBotMessage()!.text).toContain("Здравствуйте");
    await user.press("Язык");
    await user.press("English");
    expect(user.lastBotMessage()!.text).toContain("Menu");
  });

  it("the language survives a restart", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/language");
    await user.press("Русский");
    tb = await tb.restart();
    await user.send("/help");
    expect(user.lastBotMessage()!.text).toContain("Как пользоваться ботом");
  });

  it("unknown text gets matching topics and the menu; it is never met with silence", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "ru" });
    await user.send("сколько держат в детеншн");
    expect(user.lastBotMessage()!.text).toContain("не сохраняю");
    expect(user.buttons().map((b) => b.text)).toContain("Задержание (детеншн)");
    await user.send("qqqq zzzz");
    expect(user.lastBotMessage()!.text).toContain("Выберите тему");
    await user.send("/nonsense");
    expect(user.buttons().map((b) => b.text)).toContain("📚 Темы");
  });

  it("media gets a short reply with the menu", async () => {
    tb = await startTestBot();
    const user = tb.user();
    const before = user.botMessages().length;
    await user.message({ sticker: { file_id: "s", file_unique_id: "s", type: "regular", width: 1, height: 1, is_animated: false, is_video: false } });
    expect(user.botMessages().length).toBe(before + 1);
    expect(user.lastBotMessage()!.text).toContain("button taps and commands");
  });

  it("in a group, commands get a pointer to the private chat and other messages are ignored", async () => {
    tb = await startTestBot();
    const groupId = -100123;
    const from = { id: 4242, is_bot: false, first_name: "G", language_code: "ru" };
    const chat = { id: groupId, type: "supergroup" as const, title: "Family" };
    await tb.tg.push({ update_id: tb.tg.nextUpdateId(), message: { message_id: 1, date: 1, chat, from, text: "/start", entities: [{ type: "bot_command", offset: 0, length: 6 }] } });
    const replies = tb.tg.visible(groupId);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toContain("личном чате");
    const link = replies[0]!.reply_markup!.inline_keyboard[0]![0]!;
    expect("url" in link && link.url).toBe(`https://t.me/${tb.tg.botInfo.username}?start=ru`);
    await tb.tg.push({ update_id: tb.tg.nextUpdateId(), message: { message_id: 2, date: 1, chat, from, text: "hello everyone" } });
    expect(tb.tg.visible(groupId)).toHaveLength(1);
  });

  it("registers the command list in both languages", async () => {
    tb = await startTestBot();
    const api = new Api(TEST_TOKEN, { fetch: tb.tg.fetch });
    await registerCommands(api, tb.app.deps.i18n);
    const en = tb.tg.commands.get(`${JSON.stringify({ type: "all_private_chats" })}|`) as { command: string; description: string }[];
    const ru = tb.tg.commands.get(`${JSON.stringify({ type: "all_private_chats" })}|ru`) as { command: string; description: string }[];
    expect(en.map((c) => c.command)).toEqual(ru.map((c) => c.command));
    expect(en.find((c) => c.command === "forget")!.description).toMatch(/Delete/);
    expect(ru.find((c) => c.command === "forget")!.description).toMatch(/Удалить/);
  });
});
