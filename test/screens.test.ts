import type { InlineKeyboardButton } from "grammy/types";
import { afterEach, describe, expect, it } from "vitest";
import { encodeAnswers, nextQuestion } from "../src/bot/features/guided/answers.js";
import { routeSteps } from "../src/bot/features/guided/route.js";
import { SCREEN_BUTTON_BUDGET } from "../src/bot/screen.js";
import { SCREEN_CHAR_BUDGET } from "../src/content/render.js";
import { everyAnswerCombination, SHARED_ROW_LABEL } from "../tools/content-audit.js";
import type { StoredMessage } from "../tools/local-telegram/emulator.js";
import { startTestBot, type TestBot } from "./support/harness.js";
import { texts } from "./support/texts.js";

let tb: TestBot;
afterEach(async () => {
  expect(tb.tg.rejected, "Bot API calls rejected").toEqual([]);
  await tb.close();
});

/** What fits a phone: the budget every screen is held to, through the real bot. */
function checkFits(where: string, message: StoredMessage, disclaimer: string): string[] {
  const problems: string[] = [];
  const text = message.text ?? "";
  const rows = message.reply_markup?.inline_keyboard ?? [];
  if (text.length > SCREEN_CHAR_BUDGET) problems.push(`${where}: ${text.length} characters`);
  if (rows.flat().length > SCREEN_BUTTON_BUDGET) problems.push(`${where}: ${rows.flat().length} buttons`);
  if (text.split(disclaimer).length > 2) problems.push(`${where}: the disclaimer twice`);
  for (const row of rows) if (row.length > 1) for (const b of row) if ([...b.text].length > SHARED_ROW_LABEL) problems.push(`${where}: "${b.text}" shares a row`);
  return problems;
}

const data = (b: InlineKeyboardButton): string | undefined => ("callback_data" in b ? b.callback_data : undefined);

describe("every screen fits a phone", () => {
  it.each(["ru", "en"] as const)("%s: every screen reachable by buttons, every question and every distinct route", { timeout: 60_000 }, async (lang) => {
    tb = await startTestBot({ bookingUrl: "https://firm.example/book" });
    const t = texts(lang);
    const disclaimer = t("common.disclaimer");
    const user = tb.user({ language_code: lang });
    const problems: string[] = [];
    const look = () => {
      for (const m of user.botMessages()) problems.push(...checkFits(`${m.message_id}`, m, disclaimer));
    };
    // Every button, breadth first, from the menu (the guided flow and /forget aside, which need their own walk).
    await user.send("/start");
    const seen = new Set<string>();
    const queue = [...user.buttons().map(data)].filter((d): d is string => d !== undefined);
    let pressed = 0;
    while (queue.length > 0) {
      const d = queue.shift()!;
      if (seen.has(d) || d.startsWith("g") || d === "fg:y" || d.startsWith("lang:")) continue;
      seen.add(d);
      await user.pressData(d);
      pressed++;
      const shown = user.lastBotMessage()!;
      problems.push(...checkFits(d, shown, disclaimer));
      for (const b of user.buttons(shown)) if (data(b) !== undefined && !seen.has(data(b)!)) queue.push(data(b)!);
    }
    expect(pressed).toBeGreaterThan(60);
    // Every question, in both flows.
    for (const start of ["/route", "/start"]) {
      await user.send(start);
      if (start === "/start") await user.press(t("buttons.relative"));
      for (let i = 0; i < 7; i++) {
        const buttons = user.buttons().filter((b) => data(b)?.startsWith("g:") && data(b) !== "g:b" && data(b) !== "g:x");
        if (buttons.length === 0) break;
        problems.push(...checkFits(`question ${i}`, user.lastBotMessage()!, disclaimer));
        await user.pressData(data(buttons[0]!)!);
      }
      look();
    }
    // Every distinct route, its details and its summary.
    const routes = new Set<string>();
    for (const answers of everyAnswerCombination()) {
      if (nextQuestion(answers) !== undefined) continue;
      const key = `${answers.who}|${routeSteps(answers).join(",")}`;
      if (routes.has(key)) continue;
      routes.add(key);
      const code = encodeAnswers(answers);
      for (const d of [`R:${code}`, `Rd:${code}`]) {
        await user.pressData(d);
        problems.push(...checkFits(d, user.lastBotMessage()!, disclaimer));
      }
    }
    expect(routes.size).toBeGreaterThan(100);
    expect(problems).toEqual([]);
  });
});
