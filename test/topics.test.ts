import { afterEach, describe, expect, it } from "vitest";
import { readTranscriptTimestamps } from "../src/content/transcript.js";
import { CONTENT_DIR } from "../src/app.js";
import { join } from "node:path";
import { startTestBot, type TestBot } from "./support/harness.js";

const TIMESTAMPS = readTranscriptTimestamps(join(CONTENT_DIR, "source", "transcript.txt"));
const CITED = /(?:Video|Видео): ((?:\d{2}:\d{2}(?:, )?)+)/;

let tb: TestBot;
afterEach(() => {
  expect(tb.tg.rejected, "Bot API calls rejected").toEqual([]);
  tb.close();
});

describe("topic browser", () => {
  it("walks every topic in both languages through the real bot; every screen is valid and cited", async () => {
    tb = await startTestBot();
    const seen: Record<string, string[]> = {};
    for (const lang of ["ru", "en"] as const) {
      const user = tb.user({ language_code: lang });
      await user.send("/topics");
      const list = user.lastBotMessage()!;
      const topicButtons = user.buttons(list).filter((b) => "callback_data" in b && b.callback_data.startsWith("t:"));
      seen[lang] = [];
      for (const button of topicButtons) {
        const data = (button as { callback_data: string }).callback_data;
        await user.pressData(data, user.botMessages().find((m) => m.message_id === list.message_id));
        const screen = user.lastBotMessage()!;
        expect(screen.message_id, "edited in place").toBe(list.message_id);
        const id = data.slice(2);
        seen[lang].push(id);
        if (id !== "safety") {
          const cited = CITED.exec(screen.text!);
          expect(cited, `${lang}/${id} cites the video`).not.toBeNull();
          for (const ts of cited![1]!.split(", ")) expect(TIMESTAMPS.has(ts), `${lang}/${id} cites ${ts}`).toBe(true);
          expect(screen.text).toMatch(lang === "ru" ? /21 октября 2022/ : /21 October 2022/);
        }
        expect(screen.text).toContain(lang === "ru" ? "не юридическая консультация" : "not legal advice");
        expect(screen.text).toContain(`@${tb.tg.botInfo.username}`);
        const labels = user.buttons(screen).map((b) => b.text);
        expect(labels).toEqual(expect.arrayContaining([lang === "ru" ? "⬅️ Назад" : "⬅️ Back", lang === "ru" ? "🏠 Меню" : "🏠 Menu", lang === "ru" ? "⚖️ Поговорить с адвокатом" : "⚖️ Talk to a lawyer"]));
        await user.press(lang === "ru" ? "⬅️ Назад" : "⬅️ Back");
      }
    }
    expect(seen.ru).toEqual(seen.en);
    expect(seen.ru!.length).toBeGreaterThanOrEqual(18);
    expect(seen.ru).toEqual(expect.arrayContaining(["updates", "safety", "border", "visa-inside"]));
  });

  it("related topics lead on, and Back returns to where the reader came from", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/topics");
    await user.press("Without a visa: the border");
    await user.press("↪️ Detention");
    expect(user.lastBotMessage()!.text).toMatch(/^Detention after asking for asylum/);
    await user.press("⬅️ Back");
    expect(user.lastBotMessage()!.text).toMatch(/^Without a visa: asking at the border/);
    await user.press("⬅️ Back");
    expect(user.lastBotMessage()!.text).toMatch(/^Topics/);
    await user.press("🏠 Menu");
    expect(user.lastBotMessage()!.text).toMatch(/^Menu/);
    expect(user.botMessages()).toHaveLength(1);
  });

  it("the border and visa topics carry dated warnings about what changed", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/topics");
    await user.press("Without a visa: the border");
    const border = user.lastBotMessage()!.text!;
    expect(border).toContain("Reported since 2022 (list of 28/11/2026");
    expect(border).toContain("20/01/2025: CBP One border appointments ended");
    expect(border).toMatch(/Asylum at the southern border suspended/);
    await user.press("⬅️ Back");
    await user.press("With a US visa");
    const visa = user.lastBotMessage()!.text!;
    expect(visa).toContain("law in force: Asylum must be requested within one year");
    expect(visa).toContain("02/12/2025: USCIS paused decisions");
    expect(visa).toContain("$100 filing fee");
  });

  it("the updates topic shows every confirmed item with its date and source, never the unconfirmed one", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "ru" });
    await user.send("/updates");
    const text = user.lastBotMessage()!.text!;
    for (const source of ["NBC Chicago", "LSB11178", "RAICES v. Noem", "VisaJourney", "Fragomen", "TRAC", "The Guardian", "Potomac Law", "Медуза"]) expect(text).toContain(source);
    expect(text).toContain("28.11.2026");
    expect(text).not.toMatch(/stayed|временно приостановлен ежегодный сбор/i);
  });

  it("double taps change nothing and raise no error", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/topics");
    const list = user.lastBotMessage()!;
    await user.pressData("t:bond", list);
    await user.pressData("t:bond", list);
    await user.pressData("t:bond", list);
    expect(user.botMessages()).toHaveLength(1);
    expect(user.lastBotMessage()!.edits).toBe(1);
  });

  it("fast double taps, whose second press still sees the old message, change nothing and raise no error", async () => {
    tb = await startTestBot({ bookingUrl: "https://firm.example/book" });
    const user = tb.user({ language_code: "en" });
    await user.send("/start");
    const menu = user.lastBotMessage()!;
    await user.tapRepeatedly("tl", menu, 3);
    await user.tapRepeatedly("t:bond", menu);
    await user.tapRepeatedly("h:bond", menu);
    await user.tapRepeatedly("bk:bond", menu);
    await user.tapRepeatedly("t:bond", menu);
    await user.tapRepeatedly("m", menu);
    expect(user.botMessages()).toHaveLength(1);
    expect(menu.edits).toBe(6);
    expect(user.lastBotMessage()!.text).toMatch(/^Menu/);
  });

  it("presses queued before the bot answers all take effect, in order, whatever the message looked like when pressed", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/topics");
    const list = user.lastBotMessage()!;
    await user.pressQuickly(["t:bond", "t:hearing:bond", "t:bond", "tl"], list);
    expect(list.text).toMatch(/^Topics/);
    await user.pressQuickly(["t:bond", "tl", "t:bond"], list);
    expect(list.text).toMatch(/^Bond: getting released/);
    expect(user.botMessages()).toHaveLength(1);
  });

  it("after a guided route, the route's buttons still work on the same message", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/start");
    await user.press("🧭 My situation");
    for (const label of ["In the US", "Not yet", "No", "No"]) await user.press(label);
    await user.tapRepeatedly("m");
    expect(user.lastBotMessage()!.text).toMatch(/^Menu/);
    await user.tapRepeatedly("g");
    expect(user.lastBotMessage()!.text).toContain("Where are you now?");
    await user.tapRepeatedly("g:loc:us");
    expect(user.lastBotMessage()!.text).toContain("Question 2 of 4");
  });

  it("stale and forged buttons say they are outdated and show the menu", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/start");
    for (const data of ["t:no-such-topic", "t:bond:r.!!", "t:bond:$$$", "zz", "g:loc:ru", "r.XYZ", "rs.123", "h:nope!", "lang:de"]) {
      await user.pressData(data);
      expect(user.lastBotMessage()!.text, data).toMatch(/^Menu/);
    }
    expect(user.botMessages()).toHaveLength(1);
  });

  it("buttons from before a restart keep working", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/topics");
    tb = await tb.restart();
    await user.press("Bond");
    expect(user.lastBotMessage()!.text).toMatch(/^Bond: getting released/);
  });

  it("/start with a topic deep link opens that topic in that language", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/start ru-bond");
    expect(user.lastBotMessage()!.text).toMatch(/^Залог \(бонд\)/);
  });
});
