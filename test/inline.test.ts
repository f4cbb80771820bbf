import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { LabelledQuery } from "../bench/search-eval.js";
import { startTestBot, type TestBot } from "./support/harness.js";

let tb: TestBot;
afterEach(() => {
  expect(tb.tg.rejected, "Bot API calls rejected").toEqual([]);
  tb.close();
});

const queries = (JSON.parse(readFileSync("test/search-queries.json", "utf8")) as { queries: LabelledQuery[] }).queries;

describe("inline mode", () => {
  it("answers every benchmark query with valid results (the local Bot API checks ids, limits and HTML)", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    for (const q of queries) {
      const results = await user.inline(q.q);
      expect(results.length, q.q).toBeGreaterThan(0);
      expect(results.length).toBeLessThanOrEqual(10);
      expect(new Set(results.map((r) => r.id)).size).toBe(results.length);
      for (const r of results) expect(Buffer.byteLength(r.id)).toBeLessThanOrEqual(64);
    }
    const answers = tb.tg.calls.filter((c) => c.method === "answerInlineQuery");
    expect(answers).toHaveLength(queries.length);
    for (const a of answers) expect(a.params).toMatchObject({ cache_time: 300, is_personal: true });
  });

  it("a result posts a self-contained card with a button that opens the bot at that topic, in that language", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    const [first] = await user.inline("залог");
    expect(first!.id).toBe("ru:bond");
    expect(first!.title).toBe("Залог (бонд): как выйти");
    expect(first!.description!.length).toBeGreaterThan(20);
    const card = first!.input_message_content.message_text;
    expect(card).toContain("Видео: 17:17, 17:21, 17:50, 18:00");
    expect(card).toContain("21 октября 2022");
    expect(card).toContain("не юридическая консультация");
    expect(card).toContain(`@${tb.tg.botInfo.username}`);
    const button = first!.reply_markup!.inline_keyboard[0]![0]!;
    expect("url" in button && button.url).toBe(`https://t.me/${tb.tg.botInfo.username}?start=ru-bond_in`);
  });

  it("Latin queries are answered in the user's language, unless they are transliterated Russian", async () => {
    tb = await startTestBot();
    const ru = tb.user({ language_code: "ru" });
    expect((await ru.inline("bond"))[0]!.id).toBe("ru:bond");
    const en = tb.user({ language_code: "en" });
    expect((await en.inline("bond"))[0]!.id).toBe("en:bond");
    expect((await en.inline("povestka"))[0]!.id).toMatch(/^ru:/);
    // A user who chose Russian in the bot gets Russian, whatever the app's language.
    const switched = tb.user({ language_code: "en" });
    await switched.send("/language");
    await switched.press("Русский");
    expect((await switched.inline("detention"))[0]!.id).toBe("ru:detention");
  });

  it("an empty query offers the most useful topics; an unmatched one offers the bot", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "ru" });
    const results = await user.inline("");
    expect(results.map((r) => r.id).slice(0, 3)).toEqual(["ru:no-program", "ru:leave-russia", "ru:visa-inside"]);
    expect(await user.inline("qqqqqqq")).toEqual([]);
    const last = tb.tg.calls.filter((c) => c.method === "answerInlineQuery").at(-1)!;
    expect(last.params.button).toMatchObject({ start_parameter: "ru" });
  });

  it("counts queries and chosen results, and keeps nothing about who searched", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en", username: "inline_person_1" });
    await user.inline("bond");
    await user.chooseInline("en:bond", "bond");
    await user.chooseInline("forged:id", "x");
    tb.flush();
    const rows = tb.app.db.prepare("SELECT name, label, n FROM daily_counts ORDER BY name").all();
    expect(rows).toEqual([
      { name: "inline_chosen", label: "bond", n: 1 },
      { name: "inline_query", label: "en", n: 1 },
    ]);
    expect(tb.app.deps.store.count()).toBe(0);
  });
});

describe("deep links and sharing", () => {
  it("every topic has a working deep link in both languages", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    for (const topic of tb.app.deps.content.topics) {
      for (const lang of ["ru", "en"] as const) {
        const payload = `${lang}-${topic.id}`;
        expect(payload).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
        await user.send(`/start ${payload}`);
        expect(user.lastBotMessage()!.text).toMatch(new RegExp(`^${tb.app.deps.i18n.t(lang)(`topics.${topic.id}.title`).replace(/[()$]/g, "\\$&")}`));
      }
    }
  });

  it("/start ru opens the bot in Russian for a relative, whatever their app's language", async () => {
    tb = await startTestBot();
    const relative = tb.user({ language_code: "en" });
    await relative.send("/start ru_sh");
    expect(relative.lastBotMessage()!.text).toContain("Здравствуйте");
    tb.flush();
    expect(tb.app.db.prepare("SELECT label FROM daily_counts WHERE name = 'start'").all()).toEqual([{ label: "ru:sh" }]);
  });

  it("Share and /share give a Russian link for a relative and a button that sends a topic card to any chat", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/share");
    const text = user.lastBotMessage()!.text!;
    const link = `https://t.me/${tb.tg.botInfo.username}?start=ru_sh`;
    expect(text).toContain(link);
    const buttons = user.buttons();
    const sheet = buttons.find((b) => "url" in b && b.url?.startsWith("https://t.me/share/url"));
    expect(sheet && "url" in sheet && decodeURIComponent(sheet.url!)).toContain(link);
    expect(buttons.some((b) => "switch_inline_query" in b && b.switch_inline_query === "")).toBe(true);
    await user.press("🏠 Menu");
    await user.press("🔗 Share");
    expect(user.lastBotMessage()!.text).toContain(link);
  });
});
