import { afterEach, describe, expect, it } from "vitest";
import { startTestBot, type TestBot } from "./support/harness.js";

let tb: TestBot;
afterEach(() => {
  expect(tb.tg.rejected, "Bot API calls rejected").toEqual([]);
  tb.close();
});

const BOOKING = "https://firm.example/book";

describe("consultation handoff", () => {
  it("with BOOKING_URL: the phone, the checklist, and a counted booking button that reveals the link", async () => {
    tb = await startTestBot({ bookingUrl: BOOKING });
    const user = tb.user({ language_code: "en" });
    await user.send("/lawyer");
    const screen = user.lastBotMessage()!;
    expect(screen.text).toContain("+1 646-859-0205");
    expect(screen.text).toContain("who in the US can vouch for you");
    expect(screen.text).toContain("any arrests or records");
    expect(screen.text).toContain("how your political views showed");
    await user.press("📅 Book a consultation");
    const link = user.buttons().find((b) => "url" in b);
    expect(link && "url" in link && link.url).toBe(BOOKING);
    tb.flush();
    const counts = tb.app.db.prepare("SELECT name, sum(n) AS n FROM daily_counts GROUP BY name").all();
    expect(counts).toEqual(expect.arrayContaining([{ name: "handoff", n: 1 }, { name: "booking_click", n: 1 }]));
  });

  it("without BOOKING_URL: the phone number in both languages and no booking button", async () => {
    tb = await startTestBot();
    for (const lang of ["ru", "en"]) {
      const user = tb.user({ language_code: lang });
      await user.send("/lawyer");
      expect(user.lastBotMessage()!.text).toContain("+1 646-859-0205");
      expect(user.buttons().some((b) => "url" in b)).toBe(false);
    }
  });

  it("every topic has 'Talk to a lawyer', and Back from the handoff returns to the topic", async () => {
    tb = await startTestBot({ bookingUrl: BOOKING });
    const user = tb.user({ language_code: "ru" });
    await user.send("/start ru-fraud");
    await user.press("⚖️ Поговорить с адвокатом");
    expect(user.lastBotMessage()!.text).toContain("+1 646-859-0205");
    await user.press("📅 Записаться на консультацию");
    await user.press("⬅️ Назад");
    expect(user.lastBotMessage()!.text).toMatch(/^Остерегайтесь мошенников/);
  });

  it("the booking link carries nothing about the user", async () => {
    tb = await startTestBot({ bookingUrl: BOOKING });
    const user = tb.user({ id: 777000111, username: "someone_x", language_code: "en" });
    await user.send("/lawyer");
    await user.press("📅 Book a consultation");
    const urls = user.buttons().flatMap((b) => ("url" in b && b.url ? [b.url] : []));
    expect(urls).toEqual([BOOKING]);
  });
});
