import { afterEach, describe, expect, it } from "vitest";
import { shortKey } from "../src/privacy/anon-key.js";
import { allBytes, forms } from "./support/files.js";
import { startTestBot, type TestBot } from "./support/harness.js";
import { waitFor } from "./support/process.js";
import { en, ru } from "./support/texts.js";

let tb: TestBot;
afterEach(async () => {
  expect(tb.tg.rejected, "Bot API calls rejected").toEqual([]);
  await tb.close();
});

const PERSON = { id: 7319046285, first_name: "Ксенофонт", last_name: "Unique-Lastname-42", username: "zz_private_user_93", language_code: "ru" };
const TYPED = ["мой тайный план перейти в Отай-Меса 91827", "my passport number is AB1234567", "живу на улице Тайной, дом 7"];

describe("data minimization", () => {
  it("after a full session, nothing identifying and nothing typed is in the database files or the logs", async () => {
    tb = await startTestBot({ bookingUrl: "https://firm.example/book" });
    const user = tb.user(PERSON);
    await user.send("/start");
    await user.press(ru("buttons.topics"));
    await user.press(ru("sections.border-after"));
    await user.press(ru("topics.bond.button"));
    await user.press(ru("buttons.related", { title: ru("topics.hearing.button") }));
    await user.send(TYPED[0]!);
    await user.send("/route");
    const q = (id: string, a: string) => ru(`guided.questions.${id}.answers.${a}`);
    for (const label of [q("who", "m"), q("loc", "r")]) await user.press(label);
    // Typed while a question waits: the question comes again, and the text is read by the conversation, never kept.
    await user.send(TYPED[2]!);
    for (const label of [q("visa", "n"), q("draft", "s"), q("views", "p"), q("rec", "n")]) await user.press(label);
    await user.press(ru("buttons.summary"));
    await user.inline("залог");
    await user.chooseInline("ru:bond", "залог");
    await user.send("/lawyer");
    await user.send(TYPED[1]!);
    await user.edit(1, "edited: " + TYPED[0]);
    await tb.flush();
    // Keep the WAL as it is (no checkpoint), so its bytes are searched too.
    const disk = allBytes(tb.dir);
    const logs = tb.logs.text;
    const secrets = [String(PERSON.id), PERSON.first_name, PERSON.last_name, PERSON.username, ...TYPED];
    for (const secret of secrets) {
      for (const form of forms(secret)) {
        expect(disk.includes(Buffer.from(form)), `database files contain ${secret}`).toBe(false);
        expect(logs.includes(form), `logs contain ${secret}`).toBe(false);
      }
    }
    // Logs carry update ids and at most the short prefix of the anonymous key.
    const key = tb.app.deps.anonymize(PERSON.id);
    expect(logs).not.toContain(key);
    const entries = tb.logs.entries();
    expect(entries.length).toBeGreaterThan(10);
    for (const entry of entries) {
      if ("key" in entry) expect(entry.key).toBe(shortKey(key));
      expect(Object.keys(entry).every((k) => ["level", "time", "msg", "update_id", "type", "key", "err", "removed"].includes(k)), JSON.stringify(entry)).toBe(true);
    }
  });
});

describe("/forget", () => {
  it("asks once, then deletes the chat's stored data and its recent messages, and explains the rest", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/start");
    await user.press(en("buttons.topics"));
    await user.send("hello there");
    await user.send("/route");
    await user.press(en("guided.questions.who.answers.m"));
    expect(await tb.app.storage.count()).toBe(2);
    await user.send("/forget");
    expect(user.lastBotMessage()!.text).toBe(en("privacy.forgetAsk"));
    await user.press(en("buttons.forgetConfirm"));
    const left = tb.tg.visible(user.chatId);
    expect(left).toHaveLength(1);
    expect(left[0]!.fromBot).toBe(true);
    expect(left[0]!.text).toBe(en("privacy.forgetDone"));
    expect(await tb.app.storage.count()).toBe(0);
    // The next visit starts afresh.
    await user.send("/start");
    expect(user.lastBotMessage()!.text).toContain(en("start.greeting", { date: "21 October 2022", disclaimer: en("common.disclaimer") }).split("\n")[0]!);
  });

  it("presses queued before /forget deleted their message leave nothing behind", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/start");
    const menu = user.lastBotMessage()!;
    await user.send("/forget");
    const ask = user.lastBotMessage()!;
    // Pressed on the menu before "Yes" was handled, handled after it.
    await user.pressQuickly(["fg:y"], ask);
    await user.pressQuickly(["tl", "m", "g"], menu);
    expect(await tb.app.storage.count()).toBe(0);
    expect(tb.tg.visible(user.chatId).map((m) => m.text)).toEqual([en("privacy.forgetDone")]);
  });

  it("a fast double tap on 'Yes' deletes once and leaves nothing behind", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/start");
    await user.send("/forget");
    await user.tapRepeatedly("fg:y", user.lastBotMessage(), 2);
    expect(tb.tg.visible(user.chatId)).toHaveLength(1);
    expect(await tb.app.storage.count()).toBe(0);
  });

  it("is also a button on the privacy screen, and 'No' keeps everything", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "ru" });
    await user.send("/start");
    await user.press(ru("buttons.privacy"));
    expect(user.lastBotMessage()!.text).toContain("30 дней");
    await user.press(ru("buttons.forget"));
    await user.press(ru("buttons.forgetCancel"));
    expect(user.lastBotMessage()!.text!.split("\n")[0]).toBe(ru("privacy.forgetKept"));
    expect(tb.tg.visible(user.chatId).length).toBe(2);
    expect(await tb.app.storage.count()).toBe(1);
  });

  it("only deletes what Telegram still allows (48 hours)", async () => {
    let now = Date.UTC(2026, 10, 1, 12);
    tb = await startTestBot({ now: () => now });
    const user = tb.user({ language_code: "en" });
    await user.send("/start");
    now += 50 * 3600_000;
    await user.send("/help");
    await user.send("/forget");
    await user.press(en("buttons.forgetConfirm"));
    const left = tb.tg.visible(user.chatId).map((m) => m.message_id);
    // The two messages from 50 hours ago stay; everything newer is gone but the final note.
    expect(left).toEqual([1, 2, 7]);
  });
});

describe("retention", () => {
  it("the sweep deletes chats idle longer than SESSION_TTL_DAYS, and housekeeping runs it periodically", async () => {
    let now = Date.UTC(2026, 0, 1);
    tb = await startTestBot({ now: () => now, sessionTtlDays: 30 });
    const idle = tb.user();
    const active = tb.user();
    await idle.send("/start");
    await active.send("/start");
    expect(await tb.app.sweep()).toBe(0);
    now += 20 * 86_400_000;
    await active.send("/help");
    expect(await tb.app.sweep()).toBe(0);
    now += 11 * 86_400_000; // idle: 31 days without use; active: 11
    tb.app.startHousekeeping(50);
    await waitFor(async () => (await tb.app.storage.count()) === 1, "the periodic sweep");
    await active.send("/language");
    expect(active.lastBotMessage()!.text).toBe(en("language.prompt"));
  });
});
