import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { SimulatedUser } from "../src/local-telegram/user.js";
import { startTestBot, type TestBot } from "./support/harness.js";

let tb: TestBot;
afterEach(() => {
  expect(tb.tg.rejected, "Bot API calls rejected").toEqual([]);
  tb.close();
});

/** Answers the current question by button label. */
async function answer(user: SimulatedUser, label: string) {
  await user.press(label);
}

function steps(user: SimulatedUser): string[] {
  const text = user.lastBotMessage()!.text!;
  return [...text.matchAll(/^\d+\. (.+?)[.:]/gm)].map((m) => m[1]!);
}

describe("guided conversation", () => {
  it("someone in Russia with a visa, a summons, public views, no record: leave, visa route, political case", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/start");
    await user.press("🧭 My situation");
    expect(user.lastBotMessage()!.text).toContain("Question 1 of 6");
    await answer(user, "In Russia");
    expect(user.lastBotMessage()!.text).toContain("Question 2 of 6");
    await answer(user, "Yes");
    // With a visa the group question no longer applies: five questions in all.
    expect(user.lastBotMessage()!.text).toContain("Question 3 of 5");
    await answer(user, "I received a summons");
    await answer(user, "Yes, publicly");
    await answer(user, "No");
    expect(steps(user)).toEqual([
      "Leave Russia first",
      "With a valid US visa",
      "Avoiding the draft alone may not be enough for asylum",
      "If you were called up improperly (age, health, studies, no experience), that can matter for your claim",
      "Build your case on your political views and spell everything out",
      "Avoid fraudsters who promise guaranteed results",
      "Talk to an attorney before you act",
    ]);
    const route = user.lastBotMessage()!.text!;
    expect(route).toContain("Changed since 2022 (list of 28/11/2026)");
    expect(user.buttons().map((b) => b.text)).toContain("🆕 What changed since 2022");
    expect(route).toContain("Asylum must be requested within one year");
    expect(route).toContain("not legal advice");
    expect(user.botMessages()).toHaveLength(1);
  });

  it("no visa, travelling with others, a record: the border route with its warnings and detention risks", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "ru" });
    await user.send("/route");
    await answer(user, "В другой стране");
    await answer(user, "Нет");
    await answer(user, "Жду повестку");
    await answer(user, "Нет");
    await answer(user, "Да");
    await answer(user, "С другими людьми");
    const text = user.lastBotMessage()!.text!;
    expect(steps(user).map((s) => s.slice(0, 20))).toEqual([
      "Без визы",
      "Будьте готовы к заде",
      "Заранее найдите люде",
      "Узнайте, что такое з",
      "Арест или судимость ",
      "Поездка с другими лю",
      "Одного уклонения от ",
      "Если вас призывали с",
      "Продумайте, почему в",
      "Остерегайтесь мошенн",
      "Поговорите с адвокат",
    ]);
    expect(text).toContain("Запись через CBP One на границе прекращена");
    expect(text).toContain("Убежище на южной границе приостановлено прокламацией");
    const topics = user.buttons().map((b) => b.text);
    expect(topics).toEqual(expect.arrayContaining(["Без визы: граница", "Задержание (детеншн)", "Что вызывает подозрения", "⚖️ Поговорить с адвокатом", "📝 Сводка для адвоката"]));
  });

  it("'prefer not to say' everywhere gives a cautious route covering both ways in", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/route");
    for (let i = 0; i < 6; i++) await answer(user, "Prefer not to say");
    expect(steps(user)[0]).toBe("Leave Russia first");
    expect(steps(user)).toEqual(expect.arrayContaining(["With a valid US visa", "Without a visa", "Build your case on your political views and spell everything out"]));
  });

  it("someone already in the US is asked four questions", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/route");
    await answer(user, "In the US");
    expect(user.lastBotMessage()!.text).toContain("Question 2 of 4");
    await answer(user, "Not yet");
    await answer(user, "No");
    await answer(user, "Not sure");
    expect(steps(user)[0]).toBe("You are in the US");
  });

  it("Back returns to the previous question and a changed answer reshapes the rest", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/route");
    await answer(user, "In Russia");
    await answer(user, "Yes");
    expect(user.lastBotMessage()!.text).toContain("Question 3 of 5");
    await user.press("⬅️ Back");
    await user.press("⬅️ Back");
    expect(user.lastBotMessage()!.text).toContain("Where are you now?");
    await answer(user, "In the US");
    expect(user.lastBotMessage()!.text).toContain("Question 2 of 4");
    expect(user.lastBotMessage()!.text).toContain("What is your situation with the draft?");
  });

  it("Cancel clears the answers and shows the menu; old question buttons are then outdated", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/route");
    const question = user.lastBotMessage()!;
    await answer(user, "In Russia");
    await user.press("✖️ Cancel");
    expect(user.lastBotMessage()!.text).toMatch(/^Cancelled\. Your answers were cleared\./);
    await user.pressData("g:visa:y", question);
    expect(user.lastBotMessage()!.text).toMatch(/^Menu/);
  });

  it("double taps on an answer do not skip a question", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/route");
    const message = user.lastBotMessage()!;
    await user.pressData("g:loc:ru", message);
    await user.pressData("g:loc:ru", user.lastBotMessage());
    expect(user.lastBotMessage()!.text).toContain("Do you have a valid US visa?");
    expect(user.botMessages()).toHaveLength(1);
  });

  it("other commands work during the conversation, which then continues where it was", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/route");
    const question = user.lastBotMessage()!;
    await answer(user, "In Russia");
    await user.send("/help");
    expect(user.lastBotMessage()!.text).toContain("How this bot works");
    await user.pressData("g:visa:n", user.botMessages().find((m) => m.message_id === question.message_id));
    expect(user.botMessages().find((m) => m.message_id === question.message_id)!.text).toContain("What is your situation with the draft?");
  });

  it("a restart mid-conversation continues where the user was", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/route");
    await answer(user, "In Russia");
    await answer(user, "No");
    await answer(user, "I expect one");
    tb = await tb.restart();
    expect(user.lastBotMessage()!.text).toContain("Have you expressed anti-war or political views?");
    await answer(user, "Yes, privately");
    await answer(user, "No");
    await answer(user, "Alone");
    expect(steps(user)).toEqual(expect.arrayContaining(["Leave Russia first", "Without a visa", "Build your case on your political views and spell everything out"]));
  });

  it("the summary for the lawyer is plain text, sent once, and stored nowhere", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/route");
    for (const label of ["In Russia", "No", "I received a summons", "Yes, publicly", "No", "Alone"]) await answer(user, label);
    const route = user.lastBotMessage()!;
    await user.press("📝 Summary for the lawyer");
    await user.pressData((user.buttons(route).find((b) => b.text.includes("Summary")) as { callback_data: string }).callback_data, route);
    const messages = user.botMessages();
    expect(messages).toHaveLength(2);
    const summary = messages[1]!;
    expect(summary.text).toMatch(/^Summary for the lawyer/);
    expect(summary.text).toContain("1. Leave Russia first.");
    expect(summary.text).toContain("+1 646-859-0205");
    expect(summary.text).toContain(`@${tb.tg.botInfo.username}`);
    expect(summary.signature).not.toContain("<");
    expect(summary.reply_markup).toBeUndefined();
  });

  it("answers are cleared once the route is shown", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/route");
    await answer(user, "In Russia");
    tb.flush();
    const during = tb.app.db.prepare("SELECT count(*) AS n FROM records WHERE key LIKE 'c:%'").get() as { n: number };
    expect(during.n).toBe(1);
    for (const label of ["Yes", "Not yet", "No", "No"]) await answer(user, label);
    tb.flush();
    const after = tb.app.db.prepare("SELECT count(*) AS n FROM records WHERE key LIKE 'c:%'").get() as { n: number };
    expect(after.n).toBe(0);
    const bytes = Buffer.concat(readdirSync(tb.dir).filter((f) => f.startsWith("bot.sqlite")).map((f) => readFileSync(join(tb.dir, f))));
    expect(bytes.includes(String(user.chatId))).toBe(false);
  });
});
