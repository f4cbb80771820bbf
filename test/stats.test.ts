import { afterEach, describe, expect, it } from "vitest";
import { startTestBot, type TestBot } from "./support/harness.js";
import { en, ru } from "./support/texts.js";

let tb: TestBot;
afterEach(async () => {
  expect(tb.tg.rejected, "Bot API calls rejected").toEqual([]);
  await tb.close();
});

describe("operator statistics", () => {
  it("counts starts by language and source, topics, routes, handoffs and inline use, with no user key", async () => {
    tb = await startTestBot({ bookingUrl: "https://firm.example/book", adminIds: [424242] });
    const a = tb.user({ language_code: "ru" });
    const b = tb.user({ language_code: "en" });
    await a.send("/start");
    await b.send("/start en-bond_in");
    await a.send("/start ru_sh");
    await a.press(ru("buttons.lawyer"));
    await b.send("/route");
    const q = (id: string, x: string) => en(`guided.questions.${id}.answers.${x}`);
    for (const label of [q("who", "m"), q("loc", "u"), q("draft", "n"), q("views", "n"), q("rec", "n")]) await b.press(label);
    await b.inline("detention");
    await b.chooseInline("en:detention", "detention");
    await tb.flush();
    const rows = (await tb.rows("daily_counts")).map(({ name, label, n }) => ({ name, label, n: Number(n) })).sort((a, b) => a.name.localeCompare(b.name) || a.label.localeCompare(b.label));
    expect(rows).toEqual([
      { name: "handoff", label: "", n: 1 },
      { name: "inline_chosen", label: "detention", n: 1 },
      { name: "inline_query", label: "en", n: 1 },
      { name: "route_done", label: "en", n: 1 },
      { name: "start", label: "en:in", n: 1 },
      { name: "start", label: "ru:direct", n: 1 },
      { name: "start", label: "ru:sh", n: 1 },
      { name: "topic", label: "bond", n: 1 },
    ]);
    // No column could hold a user key: a day, a counter's name, its label and a count.
    expect(Object.keys((await tb.rows("daily_counts"))[0]!).sort()).toEqual(["day", "label", "n", "name"]);
  });

  it("/stats shows 7 and 30 days to ADMIN_IDS only; anyone else gets the unknown-command reply", async () => {
    tb = await startTestBot({ adminIds: [424242] });
    const admin = tb.user({ id: 424242, language_code: "en" });
    const other = tb.user({ id: 525252, language_code: "en" });
    await other.send("/start");
    await admin.send("/stats");
    const text = admin.lastBotMessage()!.text!;
    expect(text).toContain(en("stats.title"));
    expect(text).toContain(en("stats.period", { days: 7 }));
    expect(text).toContain(en("stats.period", { days: 30 }));
    expect(text).toContain("start 1 (en:direct 1)");
    await other.send("/stats");
    expect(other.lastBotMessage()!.text).toContain(en("free.noMatch"));
    expect(other.lastBotMessage()!.text).not.toContain(en("stats.title"));
  });

  it("counts roll into 7- and 30-day windows by day", async () => {
    let now = Date.UTC(2026, 10, 28, 12);
    tb = await startTestBot({ now: () => now });
    const stats = tb.app.deps.stats;
    stats.count("topic", "bond");
    now -= 10 * 86_400_000;
    stats.count("topic", "bond");
    now -= 40 * 86_400_000;
    stats.count("topic", "bond");
    now = Date.UTC(2026, 10, 28, 12);
    expect(await stats.summary(7)).toEqual([{ name: "topic", label: "bond", n: 1 }]);
    expect(await stats.summary(30)).toEqual([{ name: "topic", label: "bond", n: 2 }]);
  });
});
