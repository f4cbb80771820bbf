import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CONTENT_DIR } from "../src/app.js";
import { startTestBot, type TestBot } from "./support/harness.js";
import { en, firstLine, ru } from "./support/texts.js";

let tb: TestBot;
afterEach(async () => {
  expect(tb.tg.rejected, "Bot API calls rejected").toEqual([]);
  await tb.close();
});

const BOOKING = "https://firm.example/book";

/** A copy of the content folder with firm.json replaced. */
function contentWithFirm(firm: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), "asylum-content-"));
  cpSync(CONTENT_DIR, dir, { recursive: true });
  const base = JSON.parse(readFileSync(join(CONTENT_DIR, "firm.json"), "utf8")) as Record<string, unknown>;
  writeFileSync(join(dir, "firm.json"), JSON.stringify({ ...base, ...firm }));
  return dir;
}

const FULL_FIRM = {
  name: { en: "Example Immigration Law", ru: "Иммиграционная фирма «Пример»" },
  languages: { en: "Russian, English", ru: "русский, английский" },
  cost: { en: "$150 for 30 minutes", ru: "150 долларов за 30 минут" },
  hours: { en: "Mon–Fri 9:00–18:00, New York time", ru: "пн–пт 9:00–18:00 по нью-йоркскому времени" },
  email: "office@firm.example",
  messenger: { label: "WhatsApp", url: "https://wa.me/16468590205" },
};

describe("the lawyer screen", () => {
  it("shows every firm detail that is set, the international phone with a note for callers abroad, and books in one tap", async () => {
    tb = await startTestBot({ bookingUrl: BOOKING, contentDir: contentWithFirm(FULL_FIRM) });
    for (const [lang, t] of [["en", en], ["ru", ru]] as const) {
      const user = tb.user({ language_code: lang });
      await user.send("/lawyer");
      const text = user.lastBotMessage()!.text!;
      for (const value of [FULL_FIRM.name[lang], FULL_FIRM.languages[lang], FULL_FIRM.cost[lang], FULL_FIRM.hours[lang], FULL_FIRM.email, "+1 646-859-0205"]) expect(text, value).toContain(value);
      expect(text).toContain(t("handoff.phoneAbroad"));
      expect(text).toContain(t("handoff.afterBooking"));
      // One tap: the booking button is a link, not a button that reveals one.
      const book = user.buttons().find((b) => b.text === t("buttons.book"));
      expect(book && "url" in book && book.url).toBe(BOOKING);
      const messenger = user.buttons().find((b) => "url" in b && b.url === FULL_FIRM.messenger.url);
      expect(messenger?.text).toContain("WhatsApp");
    }
  });

  it("leaves out what is not set, and says the cost is given on booking; without BOOKING_URL it says how to book", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/lawyer");
    const text = user.lastBotMessage()!.text!;
    expect(text).toContain(en("handoff.costUnknown"));
    expect(text).toContain(en("handoff.noBooking"));
    expect(text).not.toContain(en("handoff.languages", { languages: "" }));
    expect(user.buttons().some((b) => "url" in b)).toBe(false);
  });

  it("a broken firm.json stops start-up with a line naming the field", async () => {
    await expect(startTestBot({ contentDir: contentWithFirm({ phone: "646-859-0205" }) })).rejects.toThrow(/firm\.json: phone must be an international number/);
    tb = await startTestBot();
  });

  it("every topic has 'Talk to a lawyer', and Back from the lawyer screen returns to the topic", async () => {
    tb = await startTestBot({ bookingUrl: BOOKING });
    const user = tb.user({ language_code: "ru" });
    await user.send("/start ru-fraud");
    await user.press(ru("buttons.lawyer"));
    expect(firstLine(user.lastBotMessage()!.text!)).toBe(ru("handoff.title"));
    await user.press(ru("buttons.back"));
    expect(firstLine(user.lastBotMessage()!.text!)).toBe(ru("topics.fraud.title"));
  });

  it("the route says what happens after booking, and its booking button is a link too", async () => {
    tb = await startTestBot({ bookingUrl: BOOKING });
    const user = tb.user({ language_code: "en" });
    await user.send("/start");
    await user.pressData("R:man-pna");
    expect(user.lastBotMessage()!.text).toContain(en("handoff.afterBooking"));
    const book = user.buttons().find((b) => b.text === en("buttons.book"));
    expect(book && "url" in book && book.url).toBe(BOOKING);
  });

  it("no link carries anything about the user, and handoffs are counted without them", async () => {
    tb = await startTestBot({ bookingUrl: BOOKING });
    const user = tb.user({ id: 777000111, username: "someone_x", language_code: "en" });
    await user.send("/lawyer");
    const urls = user.buttons().flatMap((b) => ("url" in b && b.url ? [b.url] : []));
    expect(urls).toEqual([BOOKING]);
    await tb.flush();
    expect((await tb.rows("daily_counts")).map(({ name, label, n }) => ({ name, label, n: Number(n) }))).toEqual([{ name: "handoff", label: "", n: 1 }]);
  });
});
