import { describe, expect, it } from "vitest";
import { LocalTelegram } from "../tools/local-telegram/emulator.js";
import { parseTelegramHtml } from "../src/telegram/html.js";

describe("Telegram HTML", () => {
  it("accepts Telegram's tags and entities and returns the visible text", () => {
    expect(parseTelegramHtml('<b>Bold</b> &amp; <i>it</i> <a href="https://x.org">l</a> &#8212; &quot;q&quot;')).toEqual({ ok: true, text: 'Bold & it l — "q"' });
  });
  it.each([
    ["<div>x</div>", /unsupported tag/],
    ["a < b", /malformed/],
    ["a & b", /bare "&"/],
    ["a > b", /bare ">"/],
    ["<b>x", /unclosed/],
    ["<b><i>x</b></i>", /unexpected end tag/],
    ["&nbsp;", /unsupported entity/],
    ['<a href="javascript:x">x</a>', /unsupported link/],
    ['<span class="x">x</span>', /tg-spoiler/],
  ])("rejects %s", (html, error) => {
    const result = parseTelegramHtml(html);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(error);
  });
});

describe("local Bot API refuses what Telegram refuses", () => {
  const tg = new LocalTelegram();
  const send = (params: Record<string, unknown>) => tg.call("sendMessage", { chat_id: 42, ...params });

  it("text over 4096 characters after parsing", async () => {
    expect(await send({ text: "x".repeat(4096) })).toMatchObject({ ok: true });
    expect(await send({ text: `<b>${"x".repeat(4096)}</b>`, parse_mode: "HTML" })).toMatchObject({ ok: true });
    expect(await send({ text: "x".repeat(4097) })).toMatchObject({ ok: false, description: expect.stringContaining("too long") });
  });

  it("callback data outside 1-64 bytes, and buttons without exactly one action", async () => {
    const markup = (b: object) => ({ inline_keyboard: [[{ text: "b", ...b }]] });
    expect(await send({ text: "t", reply_markup: markup({ callback_data: "x".repeat(64) }) })).toMatchObject({ ok: true });
    expect(await send({ text: "t", reply_markup: markup({ callback_data: "ж".repeat(33) }) })).toMatchObject({ ok: false, description: expect.stringContaining("BUTTON_DATA_INVALID") });
    expect(await send({ text: "t", reply_markup: markup({ callback_data: "" }) })).toMatchObject({ ok: false });
    expect(await send({ text: "t", reply_markup: markup({}) })).toMatchObject({ ok: false });
    expect(await send({ text: "t", reply_markup: markup({ url: "https://t.me/some_bot?start=bad payload" }) })).toMatchObject({ ok: false });
  });

  it("URL buttons that are not http(s):// or tg://, or longer than the bot's cap; copy-text buttons outside 1-256 characters", async () => {
    const markup = (b: object) => ({ inline_keyboard: [[{ text: "b", ...b }]] });
    expect(await send({ text: "t", reply_markup: markup({ url: "mailto:office@firm.example?subject=x" }) })).toMatchObject({ ok: false, description: expect.stringContaining("URL") });
    expect(await send({ text: "t", reply_markup: markup({ url: "tel:+16468590205" }) })).toMatchObject({ ok: false });
    expect(await send({ text: "t", reply_markup: markup({ url: "tg://resolve?domain=x" }) })).toMatchObject({ ok: true });
    const long = `https://t.me/share/url?url=x&text=${"a".repeat(1500)}`;
    expect(await send({ text: "t", reply_markup: markup({ url: long.slice(0, 1500) }) })).toMatchObject({ ok: true });
    expect(await send({ text: "t", reply_markup: markup({ url: long.slice(0, 1501) }) })).toMatchObject({ ok: false, description: expect.stringContaining("too long") });
    expect(await send({ text: "t", reply_markup: markup({ copy_text: { text: "ж".repeat(256) } }) })).toMatchObject({ ok: true });
    expect(await send({ text: "t", reply_markup: markup({ copy_text: { text: "ж".repeat(257) } }) })).toMatchObject({ ok: false, description: expect.stringContaining("COPY_TEXT_INVALID") });
    expect(await send({ text: "t", reply_markup: markup({ copy_text: { text: "" } }) })).toMatchObject({ ok: false });
    expect(await send({ text: "t", reply_markup: markup({ copy_text: "plain string" }) })).toMatchObject({ ok: false });
  });

  it("invalid HTML in parse mode", async () => {
    expect(await send({ text: "1 < 2", parse_mode: "HTML" })).toMatchObject({ ok: false, description: expect.stringContaining("can't parse entities") });
  });

  it("editing a message to identical content, and editing what does not exist", async () => {
    const sent = (await send({ text: "<b>same</b>", parse_mode: "HTML" })) as { ok: true; result: { message_id: number } };
    const id = sent.result.message_id;
    expect(await tg.call("editMessageText", { chat_id: 42, message_id: id, text: "<strong>same</strong>", parse_mode: "HTML" })).toMatchObject({
      ok: false,
      description: expect.stringContaining("message is not modified"),
    });
    expect(await tg.call("editMessageText", { chat_id: 42, message_id: id, text: "<i>same</i>", parse_mode: "HTML" })).toMatchObject({ ok: true });
    expect(await tg.call("editMessageText", { chat_id: 42, message_id: 9999, text: "x" })).toMatchObject({ ok: false, description: expect.stringContaining("not found") });
  });

  it("deleting messages older than 48 hours", async () => {
    let now = Date.now();
    const clockTg = new LocalTelegram({ now: () => now });
    const old = (await clockTg.call("sendMessage", { chat_id: 7, text: "old" })) as { ok: true; result: { message_id: number } };
    now += 47 * 3600_000;
    const fresh = (await clockTg.call("sendMessage", { chat_id: 7, text: "fresh" })) as { ok: true; result: { message_id: number } };
    now += 2 * 3600_000;
    expect(await clockTg.call("deleteMessage", { chat_id: 7, message_id: old.result.message_id })).toMatchObject({ ok: false });
    expect(await clockTg.call("deleteMessage", { chat_id: 7, message_id: fresh.result.message_id })).toMatchObject({ ok: true });
  });

  it("answering a callback query twice, and inline answers over 50 results or with duplicate ids", async () => {
    const user = { id: 5, is_bot: false, first_name: "U" };
    await tg.push({ update_id: 1, callback_query: { id: "q1", from: user, chat_instance: "c", data: "x" } });
    expect(await tg.call("answerCallbackQuery", { callback_query_id: "q1" })).toMatchObject({ ok: true });
    expect(await tg.call("answerCallbackQuery", { callback_query_id: "q1" })).toMatchObject({ ok: false });
    const article = (id: string) => ({ type: "article", id, title: "t", input_message_content: { message_text: "m" } });
    await tg.push({ update_id: 2, inline_query: { id: "i1", from: user, query: "", offset: "" } });
    expect(await tg.call("answerInlineQuery", { inline_query_id: "i1", results: Array.from({ length: 51 }, (_, i) => article(`r${i}`)) })).toMatchObject({ ok: false });
    expect(await tg.call("answerInlineQuery", { inline_query_id: "i1", results: [article("a"), article("a")] })).toMatchObject({ ok: false });
    expect(await tg.call("answerInlineQuery", { inline_query_id: "i1", results: [article("a"), article("b")] })).toMatchObject({ ok: true });
  });
});
