import type { Message } from "grammy/types";
import { afterEach, describe, expect, it } from "vitest";
import { startTestBot, type TestBot } from "./support/harness.js";
import { en, firstLine } from "./support/texts.js";

let tb: TestBot;
afterEach(async () => {
  expect(tb.tg.rejected, "Bot API calls rejected").toEqual([]);
  expect(tb.logs.entries().filter((e) => (e.level as number) >= 50), "error logs").toEqual([]);
  await tb.close();
});

const MEDIA: [string, Partial<Message>][] = [
  ["sticker", { sticker: { file_id: "s", file_unique_id: "s", type: "regular", width: 512, height: 512, is_animated: false, is_video: false } }],
  ["photo", { photo: [{ file_id: "p", file_unique_id: "p", width: 10, height: 10 }] }],
  ["voice", { voice: { file_id: "v", file_unique_id: "v", duration: 3 } }],
  ["document", { document: { file_id: "d", file_unique_id: "d", file_name: "passport.pdf" } }],
  ["location", { location: { latitude: 32.54, longitude: -117.03 } }],
  ["contact", { contact: { phone_number: "+10000000000", first_name: "Someone" } }],
];

describe("every update type is handled without a crash", () => {
  it.each(MEDIA)("%s gets a short reply with the menu", async (_kind, extra) => {
    tb = await startTestBot();
    const user = tb.user();
    await user.message(extra);
    expect(firstLine(user.lastBotMessage()!.text!)).toBe(en("free.media"));
    expect(user.buttons().length).toBeGreaterThan(3);
  });

  it("edited messages, channel posts, group messages and membership changes are quietly accepted", async () => {
    tb = await startTestBot();
    const user = tb.user();
    await user.send("/start");
    await user.edit(1, "changed my mind");
    await tb.tg.push({ update_id: tb.tg.nextUpdateId(), channel_post: { message_id: 1, date: 1, chat: { id: -1001, type: "channel", title: "News" }, text: "/start" } } as never);
    await tb.tg.push({ update_id: tb.tg.nextUpdateId(), message: { message_id: 5, date: 1, chat: { id: -5, type: "group", title: "G" }, from: user.user, text: "hi" } } as never);
    await user.setBlocked(true);
    await user.setBlocked(false);
    await user.send("/start");
    expect(user.botMessages()).toHaveLength(2);
  });

  it("unknown, malformed and outdated button data answers 'outdated' and shows the menu", async () => {
    tb = await startTestBot();
    const user = tb.user();
    await user.send("/help");
    const menu = firstLine(en("start.menu", { disclaimer: "" }));
    for (const data of ["", " ", "t:", "t:bond:", "t:bond:m:x", "\u0000", "💣".repeat(16), "lang:xx", "g:visa:y", "g:visa:yy", "rs.AAAAAAAAAAAAAAAAAAAAAAAAA", "R:", "R:mrn-pn", "Rd:" + "m".repeat(7), "u:border:0", "u:border:1:x!", "h::", "og:de", "fg:maybe"]) {
      await user.pressData(data || "x");
      expect(firstLine(user.lastBotMessage()!.text!), JSON.stringify(data)).toBe(menu);
    }
  });

  it("buttons pressed on inline-mode messages are answered", async () => {
    tb = await startTestBot();
    const user = tb.user();
    await user.pressInlineMessageButton("t:bond");
    await user.pressInlineMessageButton("anything");
    expect(tb.tg.calls.filter((c) => c.method === "answerCallbackQuery")).toHaveLength(2);
  });

  it("garbage deep-link payloads fall back to the normal start", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    for (const payload of ["xx", "ru-", "ru-no-such-topic", "en-bond_zz", "a".repeat(200), "ru-bond-bond-bond", "../../etc", "ru--bond", "<b>", "ru-BOND"]) {
      await user.send(`/start ${payload}`);
      expect(firstLine(user.lastBotMessage()!.text!), payload).toBe(firstLine(en("start.greeting", { date: "", disclaimer: "" })));
    }
  });

  it("huge, emoji, right-to-left and zero-width text gets a reply", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "ru" });
    for (const text of ["я".repeat(10_000), "🙂🇺🇸🤐".repeat(300), "\u202eзалог\u202c", "за\u200bлог", "\u200b\u200c\u200d\ufeff", "<b>&amp;</b>", "שלום עליכם", "/start@asylum_basics_bot"]) {
      const before = user.botMessages().length;
      await user.send(text);
      expect(user.botMessages().length, text.slice(0, 20)).toBe(before + 1);
    }
    // Zero-width characters do not hide a word from the search.
    await user.send("за\u200bлог");
    expect(user.buttons().map((b) => b.text)).toContain(tb.app.deps.i18n.t("ru")("topics.bond.button"));
  });

  it("rapid double taps on buttons that send a message send it once", async () => {
    tb = await startTestBot();
    const user = tb.user();
    await user.send("/start");
    const menu = user.lastBotMessage()!;
    await user.pressData("og:ru", menu);
    await user.pressData("og:ru", menu);
    await user.pressData("og:en", menu);
    expect(user.botMessages().filter((m) => m.document !== undefined).map((m) => m.document!.file_name)).toEqual(["guide-ru.html", "guide-en.html"]);
  });
});

describe("errors and floods", () => {
  it("the error boundary logs without personal data and answers politely", async () => {
    tb = await startTestBot();
    const user = tb.user({ id: 5550001234, username: "zz_error_user", language_code: "en" });
    tb.tg.failures.push({ method: "sendMessage", code: 400, description: "Bad Request: chat 5550001234 text 'secret' failed" });
    await user.send("/help");
    expect(user.lastBotMessage()!.text).toBe(en("unknown.error"));
    const errors = tb.logs.entries().filter((e) => e.level === 50);
    expect(errors).toHaveLength(1);
    const line = JSON.stringify(errors[0]);
    expect(line).toContain("sendMessage");
    // The error's real type, not pino's "Object" (issue 10.9).
    expect((errors[0]!.error as { type: string }).type).toBe("GrammyError");
    expect(line).not.toContain("zz_error_user");
    expect(line).not.toContain(firstLine(en("help.text", { username: "", disclaimer: "" })));
    // Only Telegram's own description is kept; the chat id appears here only because the scripted description quotes it.
    tb.logs.lines.length = 0;
  });

  it("a user who blocked the bot is handled quietly", async () => {
    tb = await startTestBot();
    const user = tb.user();
    tb.tg.blocked.add(user.chatId);
    await user.send("/start");
    const warnings = tb.logs.entries().filter((e) => (e.level as number) >= 40);
    expect(warnings).toEqual([]);
    expect(tb.logs.text).toContain("user unreachable");
  });

  it("429 answers are retried after Telegram's retry_after", async () => {
    tb = await startTestBot();
    const user = tb.user();
    tb.tg.failures.push({ method: "sendMessage", code: 429, description: "Too Many Requests: retry after 0", retryAfter: 0 });
    await user.send("/start");
    expect(firstLine(user.lastBotMessage()!.text!)).toBe(firstLine(en("start.greeting", { date: "", disclaimer: "" })));
    expect(tb.tg.calls.filter((c) => c.method === "sendMessage")).toHaveLength(2);
  });

  it("5xx answers are retried", async () => {
    tb = await startTestBot();
    const user = tb.user();
    tb.tg.failures.push({ method: "sendMessage", code: 502, description: "Bad Gateway" });
    await user.send("/start");
    expect(firstLine(user.lastBotMessage()!.text!)).toBe(firstLine(en("start.greeting", { date: "", disclaimer: "" })));
  }, 15_000);

  it("a Bot API call that never answers ends with the update's budget: the press is still answered, the update is committed once, and the chat goes on", async () => {
    tb = await startTestBot({ updateBudgetMs: 300 });
    const user = tb.user();
    await user.send("/start");
    tb.tg.hangs.add("editMessageText");
    // The edit hangs for ever; the press returns once its update is done with.
    await user.pressData("tl");
    tb.tg.hangs.clear();
    expect(tb.logs.text).toContain("ran out of its time budget");
    const pressed = tb.tg.calls.find((c) => c.method === "answerCallbackQuery");
    expect(pressed).toMatchObject({ ok: true, params: { text: en("unknown.error") } });
    const handled = await tb.rows("handled_updates");
    expect(handled).toHaveLength(2);
    await user.send("/help");
    expect(firstLine(user.lastBotMessage()!.text!)).toBe(firstLine(en("help.text", { username: "", disclaimer: "" })));
    expect(tb.tg.rejected).toEqual([]);
  });

  it("rate limiting: one polite notice, then silence until the window passes", async () => {
    tb = await startTestBot({ rateLimitPerMinute: 5 });
    const user = tb.user();
    for (let i = 0; i < 12; i++) await user.send(`/help`);
    const texts = user.botMessages().map((m) => m.text!);
    expect(texts.filter((t) => t.startsWith(firstLine(en("help.text", { username: "", disclaimer: "" }))))).toHaveLength(5);
    expect(texts.filter((t) => t === en("unknown.rateLimited"))).toHaveLength(1);
    expect(texts).toHaveLength(6);
  });
});
