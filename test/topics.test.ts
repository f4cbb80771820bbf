import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CONTENT_DIR, LOCALES_DIR } from "../src/app.js";
import { ContentError, loadContent } from "../src/content/content.js";
import { readTranscriptTimestamps } from "../src/content/transcript.js";
import { createI18n, type Lang, readLocales } from "../src/i18n.js";
import { startTestBot, type TestBot } from "./support/harness.js";
import { en, firstLine, ru, texts } from "./support/texts.js";

const TIMESTAMPS = readTranscriptTimestamps(join(CONTENT_DIR, "source", "transcript.txt"));
const CITED = /(?:Video|Видео): ((?:\d{2}:\d{2}(?:, )?)+)/;

let tb: TestBot;
afterEach(async () => {
  // The tests of loading the content start no bot: nothing to close, also when run alone.
  if (tb === undefined) return;
  expect(tb.tg.rejected, "Bot API calls rejected").toEqual([]);
  await tb.close();
  tb = undefined as never;
});

describe("topic browser", () => {
  it.each(["ru", "en"] as const)("walks every section and topic in %s through the real bot; every screen is cited, dated and in place", async (lang: Lang) => {
    tb = await startTestBot();
    const t = texts(lang);
    const user = tb.user({ language_code: lang });
    await user.send("/topics");
    const message = user.lastBotMessage()!;
    const sections = user.buttons(message).filter((b) => "callback_data" in b && b.callback_data.startsWith("ts:"));
    expect(sections.length).toBeGreaterThanOrEqual(3);
    expect(sections.length).toBeLessThanOrEqual(4);
    const seen: string[] = [];
    for (const section of sections) {
      await user.pressData((section as { callback_data: string }).callback_data, message);
      const topics = user.buttons(message).filter((b) => "callback_data" in b && b.callback_data.startsWith("t:"));
      for (const button of topics) {
        const data = (button as { callback_data: string }).callback_data;
        await user.pressData(data, message);
        const id = data.split(":")[1]!;
        seen.push(id);
        const topic = tb.app.deps.content.topic(id)!;
        const text = message.text!;
        expect(firstLine(text), id).toBe(t(`topics.${id}.title`));
        if (topic.kind === "transcript") {
          const cited = CITED.exec(text);
          expect(cited, `${lang}/${id} cites the video`).not.toBeNull();
          expect(cited![1]!.split(", ")).toEqual(topic.cites);
          for (const ts of topic.cites) expect(TIMESTAMPS.has(ts), `${lang}/${id} cites ${ts}`).toBe(true);
          const source = text.split("\n").find((l) => l.startsWith("📹"));
          // Unambiguous, complete dates: "21 October 2022", "21 октября 2022 года".
          expect(source).toBe(t(`common.source.${topic.speaker}`, { date: lang === "ru" ? "21 октября 2022 года" : "21 October 2022", times: topic.cites.join(", ") }));
        }
        if (topic.kind !== "updates") expect(text).toContain(t("common.disclaimer"));
        const labels = user.buttons(message).map((b) => b.text);
        expect(labels).toEqual(expect.arrayContaining([t("buttons.back"), t("buttons.home")]));
        if (topic.kind !== "updates") expect(labels).toContain(t("buttons.lawyer"));
        await user.press(t("buttons.back"));
      }
      await user.press(t("buttons.back"));
    }
    expect(new Set(seen).size).toBe(tb.app.deps.content.topics.length);
    expect(user.botMessages()).toHaveLength(1);
  });

  it("the host's topics say they are the host's words, with the attorney agreeing where he did", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    for (const [id, speaker] of [["attorney", "host-agreed"], ["fraud", "host"], ["relatives", "host"], ["bond", "attorney"]] as const) {
      await user.send(`/start en-${id}`);
      const source = user.lastBotMessage()!.text!.split("\n").find((l) => l.startsWith("📹"))!;
      expect(source, id).toBe(en(`common.source.${speaker}`, { date: "21 October 2022", times: tb.app.deps.content.topic(id)!.cites.join(", ") }));
    }
    // Safety pin (issue: faithful attribution): the host is named, and the agreement is dated to its minute.
    expect(en("common.source.host-agreed")).toMatch(/Michael Levites.*agreeing \(24:05\)/);
  });

  it("a topic's text or an update's that is not valid Telegram HTML stops start-up, naming the text", () => {
    // Before, only building the search index parsed them, and it is built at the first search now.
    const planted = (edit: (r: Record<string, Record<string, Record<string, Record<string, string>>>>) => void) => {
      const resources = readLocales(LOCALES_DIR) as unknown as Record<string, Record<string, Record<string, Record<string, string>>>>;
      edit(resources);
      return () => loadContent(CONTENT_DIR, createI18n(resources as never));
    };
    expect(planted(() => undefined)).not.toThrow();
    const body = planted((r) => (r.en!.topics!.bond!.body += " <b>unclosed"));
    expect(body).toThrow(ContentError);
    expect(body).toThrow(/topic "bond": en topics\.bond\.body is not valid Telegram HTML/);
    const update = planted((r) => ((r.ru!.updates!.items as unknown as Record<string, Record<string, string>>)["cbp-one"]!.short += " a < b"));
    expect(update).toThrow(/update "cbp-one": ru updates\.items\.cbp-one\.short is not valid Telegram HTML/);
  });

  it("a list that shows a note without the notes that qualify it stops start-up, naming the list and both notes", async () => {
    const { cpSync, mkdtempSync, readFileSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const i18n = createI18n(readLocales(LOCALES_DIR));
    const planted = (file: string, edit: (json: Record<string, unknown>) => void) => {
      const dir = mkdtempSync(join(tmpdir(), "asylum-content-"));
      cpSync(CONTENT_DIR, dir, { recursive: true });
      const json = JSON.parse(readFileSync(join(dir, file), "utf8")) as Record<string, unknown>;
      edit(json);
      writeFileSync(join(dir, file), JSON.stringify(json));
      return () => loadContent(dir, i18n);
    };
    type Lists = { topics: { id: string; notes: string[] }[]; steps: Record<string, { notes: string[]; keep?: string[] }>; texts: Record<string, string[][]>; items: { id: string; shownWith?: string[] }[] };
    const without = (list: string[], id: string) => list.splice(list.indexOf(id), 1);
    expect(planted("topics.json", () => undefined)).not.toThrow();
    const topic = planted("topics.json", (j) => without((j as unknown as Lists).topics.find((t) => t.id === "leave-russia")!.notes, "exit-ban-earlier"));
    expect(topic).toThrow(ContentError);
    expect(topic).toThrow(/topic "leave-russia": shows note "exit-ban" without "exit-ban-earlier", which qualifies it/);
    expect(planted("routes.json", (j) => without((j as unknown as Lists).steps.leave!.notes, "exit-ban-earlier"))).toThrow(/route step "leave": shows note "exit-ban" without "exit-ban-earlier"/);
    expect(planted("routes.json", (j) => ((j as unknown as Lists).steps["us-file"]!.keep = ["uscis-partial"]))).toThrow(/route step "us-file" \(keep\): shows note "uscis-partial" without "uscis-hold"/);
    expect(planted("sourced.json", (j) => ((j as unknown as Lists).texts["urgent.russia.exit"] = [["update:exit-ban"]]))).toThrow(/sourced\.json: urgent\.russia\.exit: shows note "exit-ban" without "exit-ban-earlier"/);
    expect(planted("updates.json", (j) => ((j as unknown as Lists).items.find((i) => i.id === "exit-ban")!.shownWith = ["no-such-item"]))).toThrow(/update "exit-ban" \(shownWith\): note "no-such-item" is not in updates\.json/);
    // What qualifies a qualifier comes too: the lists that show the earlier start all show the register.
    const chained = planted("updates.json", (j) => ((j as unknown as Lists).items.find((i) => i.id === "exit-ban-earlier")!.shownWith = ["e-register"]))();
    expect(chained.qualifiers(chained.updates.all.find((i) => i.id === "exit-ban")!).map((i) => i.id)).toEqual(["exit-ban-earlier", "e-register"]);
  });

  it("once the operator sets videoUrl, every cited minute links to that minute of the video", async () => {
    const { cpSync, mkdtempSync, readFileSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "asylum-content-"));
    cpSync(CONTENT_DIR, dir, { recursive: true });
    const topics = JSON.parse(readFileSync(join(dir, "topics.json"), "utf8")) as Record<string, unknown>;
    writeFileSync(join(dir, "topics.json"), JSON.stringify({ ...topics, videoUrl: "https://video.example/watch?v=abc&t={seconds}s" }));
    tb = await startTestBot({ contentDir: dir });
    const user = tb.user({ language_code: "en" });
    await user.send("/start en-bond");
    const sent = tb.tg.calls.filter((c) => c.method === "sendMessage").at(-1)!.params.text as string;
    expect(sent).toContain('<a href="https://video.example/watch?v=abc&amp;t=1041s">17:21</a>');
    expect(sent).toContain('<a href="https://video.example/watch?v=abc&amp;t=1080s">18:00</a>');
    // Without it (the default), the minutes are plain text.
    expect(en("common.source.attorney", { date: "d", times: "t" })).not.toContain("<a");
  });

  it("related topics lead on, and Back returns to where the reader came from", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/topics");
    await user.press(en("sections.getting-there"));
    await user.press(en("topics.border.button"));
    await user.press(en("buttons.related", { title: en("topics.detention.button") }));
    expect(firstLine(user.lastBotMessage()!.text!)).toBe(en("topics.detention.title"));
    await user.press(en("buttons.back"));
    expect(firstLine(user.lastBotMessage()!.text!)).toBe(en("topics.border.title"));
    await user.press(en("buttons.back"));
    expect(firstLine(user.lastBotMessage()!.text!)).toBe(en("sections.getting-there"));
    await user.press(en("buttons.back"));
    expect(firstLine(user.lastBotMessage()!.text!)).toBe(firstLine(en("topicList.title", { date: "" })));
    await user.press(en("buttons.home"));
    expect(user.botMessages()).toHaveLength(1);
  });

  it("a topic opened from a page of a route's step details comes Back to that page, and its button names the topic as its title does", async () => {
    tb = await startTestBot();
    for (const [lang, t] of [["en", en], ["ru", ru]] as const) {
      const user = tb.user({ language_code: lang });
      await user.send("/start");
      // At the border, without a visa, with a record: the details run to more than one page.
      await user.pressData("R:mbn.snyf");
      await user.press(t("buttons.details"));
      await user.press(t("buttons.nextPage"));
      const page = user.lastBotMessage()!.text!;
      expect(page).toContain(t("updates.page", { n: 2, total: 2 }).split(" ")[0]!);
      const topic = user.buttons().find((b) => "callback_data" in b && b.callback_data.startsWith("t:"))!;
      const id = (topic as { callback_data: string }).callback_data.split(":")[1]!;
      expect(topic.text).toBe(t(`topics.${id}.button`));
      await user.press(topic.text);
      expect(firstLine(user.lastBotMessage()!.text!)).toBe(t(`topics.${id}.title`));
      await user.press(t("buttons.back"));
      expect(user.lastBotMessage()!.text).toBe(page);
    }
    // The two labels the reader found misleading are now their topics' titles, shortened.
    expect(ru("topics.suspicion.title").startsWith("Что может продлить задержание")).toBe(true);
    expect(ru("topics.suspicion.button")).not.toMatch(/подозрени/);
    expect(ru("topics.who-qualifies.button")).toBe(ru("topics.who-qualifies.title"));
  });

  it("the border topic leads with the plain warning that the 2022 route no longer guarantees even a chance to apply, and its dated reasons", async () => {
    tb = await startTestBot();
    for (const [lang, t] of [["ru", ru], ["en", en]] as const) {
      const user = tb.user({ language_code: lang });
      await user.send(`/start ${lang}-border`);
      const lines = user.lastBotMessage()!.text!.split("\n").filter((l) => l !== "");
      // Safety pin: the second line (right under the title) is the warning, not the 2022 advice, and it is not conditional.
      expect(lines[1]).toBe(firstLine(t("topics.border.body")));
      expect(lines[1]).toMatch(lang === "en" ? /^⚠️ The 2022 route, coming to the US border to ask for asylum, no longer guarantees even a chance to apply \(notes below\)\. Do not set out for the border/ : /^⚠️ Путь 2022 года — приехать к границе США и попросить убежища — больше не гарантирует даже возможности подать заявление \(заметки ниже\)\. Не отправляйтесь к границе/);
      // The same reasons as the border steps' details, the April 2026 appeals ruling among them.
      for (const reason of ["turn-backs", "proclamation", "proclamation-ruling", "cbp-one", "bond-border"]) expect(lines.join("\n"), reason).toContain(t(`updates.items.${reason}.short`));
    }
  });

  it("a press repeated before the bot answers shows the screen once: Telegram's 'not modified' is taken as done", async () => {
    tb = await startTestBot({ bookingUrl: "https://firm.example/book" });
    const user = tb.user({ language_code: "en" });
    await user.send("/start");
    const menu = user.lastBotMessage()!;
    await user.tapRepeatedly("tl", menu, 3);
    await user.tapRepeatedly("t:bond", menu);
    await user.tapRepeatedly("h:bond", menu);
    await user.tapRepeatedly("m", menu);
    expect(user.botMessages()).toHaveLength(1);
    expect(menu.edits).toBe(4);
    expect(tb.tg.notModified).toHaveLength(5);
    expect(firstLine(menu.text!)).toBe(firstLine(en("start.menu", { disclaimer: "" })));
    // Every press got its spinner stopped, and nothing was logged as an error.
    expect(tb.tg.calls.filter((c) => c.method === "answerCallbackQuery")).toHaveLength(9);
    expect(tb.logs.entries().filter((e) => (e.level as number) >= 50)).toEqual([]);
  });

  it("presses queued before the bot answers all take effect, in order, whatever the message looked like when pressed", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/topics");
    const list = user.lastBotMessage()!;
    await user.pressQuickly(["t:bond", "t:hearing:bond", "t:bond", "tl"], list);
    expect(firstLine(list.text!)).toBe(firstLine(en("topicList.title", { date: "" })));
    await user.pressQuickly(["t:bond", "tl", "t:bond"], list);
    expect(firstLine(list.text!)).toBe(en("topics.bond.title"));
    expect(user.botMessages()).toHaveLength(1);
  });

  it("stale and forged buttons say they are outdated and show the menu", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/start");
    const menuTitle = firstLine(en("start.menu", { disclaimer: "" }));
    for (const data of ["t:no-such-topic", "t:bond:r.!!", "t:bond:$$$", "zz", "g:loc:r", "r.LVBDPN", "rs.LVQCFA", "bk:m", "R:zzzzzzz", "Rs:mrn-pn", "h:nope!", "lang:de", "u:border:99", "u:nothing:1", "ts:nowhere"]) {
      await user.pressData(data);
      expect(firstLine(user.lastBotMessage()!.text!), data).toBe(menuTitle);
    }
    expect(user.botMessages()).toHaveLength(1);
  });

  it("buttons from before a restart keep working", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/topics");
    tb = await tb.restart();
    await user.press(en("sections.border-after"));
    await user.press(en("topics.bond.button"));
    expect(firstLine(user.lastBotMessage()!.text!)).toBe(en("topics.bond.title"));
  });

  it("/start with a topic deep link opens that topic in that language, Back leading to its section", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/start ru-bond");
    expect(firstLine(user.lastBotMessage()!.text!)).toBe(ru("topics.bond.title"));
    await user.press(ru("buttons.back"));
    expect(firstLine(user.lastBotMessage()!.text!)).toBe(ru("sections.border-after"));
  });
});
