import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CONTENT_DIR } from "../src/app.js";
import { encodeAnswers } from "../src/bot/features/guided/answers.js";
import { MAX_BUTTON_URL_LENGTH } from "../src/telegram/html.js";
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

  it("leaves out what is not set, and says the cost is given on booking; without BOOKING_URL it says how to book by what there is", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/lawyer");
    const text = user.lastBotMessage()!.text!;
    expect(text).toContain(en("handoff.costUnknown"));
    // Only a phone as shipped: "call", never "write to the contacts above" with nothing to write to.
    expect(text).toContain(en("handoff.bookBy.call"));
    expect(text).not.toContain(en("handoff.bookBy.callOrWrite"));
    expect(text).not.toContain(en("handoff.languages", { languages: "" }));
    expect(user.buttons().some((b) => "url" in b)).toBe(false);
  });

  it.each(["en", "ru"] as const)("%s: the firm has a name from the first start: attorney Yakov Spektor's office, by phone or via video, with one of its lawyers", async (lang) => {
    tb = await startTestBot();
    const t = lang === "en" ? en : ru;
    const user = tb.user({ language_code: lang });
    await user.send("/lawyer");
    const text = user.lastBotMessage()!.text!;
    const firm = tb.app.deps.content.firm;
    expect(text).toContain(firm.name[lang]);
    expect(text).toContain(firm.format[lang]);
    // Pinned on purpose: the shipped firm is what the page that publishes the interview names.
    expect(firm.name[lang]).toMatch(lang === "en" ? /Yakov Spektor/ : /адвоката Якова Спектора/);
    expect(firm.format[lang]).toMatch(lang === "en" ? /by phone or via video.*with one of our lawyers, guaranteed/ : /по телефону или по видео.*с одним из наших адвокатов/);
    expect(firm.email).toBe("");
    expect(firm.messenger.url).toBe("");
    expect(text).toContain("+1 646-859-0205");
    // Beside the firm: free legal help, and the urgent lane.
    expect(user.buttons().map((b) => b.text)).toEqual(expect.arrayContaining([t("buttons.freeHelp"), t("buttons.urgent")]));
  });

  it("reached from the menu or typed text by a relative, the checklist speaks to the reader and says the same goes for the person they ask for", async () => {
    tb = await startTestBot();
    for (const [lang, t] of [["ru", ru], ["en", en]] as const) {
      const user = tb.user({ language_code: lang });
      await user.send(lang === "ru" ? "сын в Казахстане" : "my son is in Kazakhstan");
      await user.press(t("buttons.lawyer"));
      const typed = user.lastBotMessage()!.text!;
      expect(typed).toContain(t("handoff.prepare"));
      // The line for a relative: the same list, about the person.
      expect(t("handoff.prepare").split("\n").at(-1)).toMatch(lang === "ru" ? /о близком человеке/ : /someone close to you/);
      await user.send("/start");
      await user.press(t("buttons.lawyer"));
      expect(user.lastBotMessage()!.text).toContain(t("handoff.prepare"));
    }
  });

  it("with an e-mail and a messenger, the lawyer screen says to call or write, and shows both", async () => {
    tb = await startTestBot({ contentDir: contentWithFirm(FULL_FIRM) });
    const user = tb.user({ language_code: "en" });
    await user.send("/lawyer");
    const text = user.lastBotMessage()!.text!;
    expect(text).toContain(en("handoff.bookBy.callOrWrite"));
    expect(text).toContain(FULL_FIRM.email);
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
    await user.pressData("R:mann-pna");
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

describe("the summary for the lawyer reaches the lawyer in one tap, without the bot", () => {
  const ROUTE = "R:mann-pna";
  async function summaryFor(lang: "en" | "ru", code = ROUTE) {
    const user = tb.user({ language_code: lang });
    await user.send("/start");
    await user.pressData(code);
    await user.press(lang === "en" ? en("buttons.summary") : ru("buttons.summary"));
    return { user, message: user.lastBotMessage()! };
  }

  it.each(["en", "ru"] as const)("%s, as shipped: a copy button within 256 characters, a share link within Telegram's limits, the firm's name and phone in the footer", async (lang) => {
    tb = await startTestBot();
    const t = lang === "en" ? en : ru;
    const { message } = await summaryFor(lang);
    const buttons = message.reply_markup!.inline_keyboard.flat();
    // Nothing goes back to the bot: every button acts on the reader's device or opens Telegram.
    expect(buttons.every((b) => !("callback_data" in b))).toBe(true);
    const copy = buttons.find((b) => "copy_text" in b) as { text: string; copy_text: { text: string } };
    expect(copy.text).toBe(t("summary.copy"));
    expect(copy.copy_text.text.length).toBeGreaterThan(0);
    expect(copy.copy_text.text.length).toBeLessThanOrEqual(256);
    expect(copy.copy_text.text).toContain(t("guided.questions.loc.facts.a"));
    const share = buttons.find((b) => b.text === t("summary.share")) as { url: string };
    expect(share.url.length).toBeLessThanOrEqual(MAX_BUTTON_URL_LENGTH);
    const url = new URL(share.url);
    expect(url.origin + url.pathname).toBe("https://t.me/share/url");
    expect(url.searchParams.get("url")).toMatch(/^https:\/\/t\.me\/asylum_basics_bot\?start=/);
    expect(url.searchParams.get("text")).toContain(t(lang === "en" ? "summary.shortHead" : "summary.shortHead"));
    // No e-mail or messenger is set as shipped: no button pretends there is one.
    expect(buttons.some((b) => b.text.startsWith("💬"))).toBe(false);
    const text = message.text!;
    expect(text).toContain(tb.app.deps.content.firm.name[lang]);
    expect(text).toContain("📞 +1 646-859-0205");
    // Read later by the firm: the day it was made.
    const today = new Intl.DateTimeFormat(lang === "ru" ? "ru" : "en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(new Date()).replace(/\s*г\.$/, " года");
    expect(text).toContain(t("route.summary.madeOn", { date: today }));
  });

  it.each(["en", "ru"] as const)("%s, with an e-mail, a messenger and a booking page: every contact in the footer, the messenger with the text filled in", async (lang) => {
    tb = await startTestBot({ bookingUrl: BOOKING, contentDir: contentWithFirm(FULL_FIRM) });
    const t = lang === "en" ? en : ru;
    const { message } = await summaryFor(lang);
    const text = message.text!;
    for (const value of [FULL_FIRM.name[lang], "+1 646-859-0205", FULL_FIRM.email, FULL_FIRM.messenger.url, BOOKING]) expect(text, value).toContain(value);
    const buttons = message.reply_markup!.inline_keyboard.flat();
    const messenger = buttons.find((b) => b.text === t("summary.messenger", { label: "WhatsApp" })) as { url: string };
    const url = new URL(messenger.url);
    expect(url.origin + url.pathname).toBe("https://wa.me/16468590205");
    expect(url.searchParams.get("text")).toContain(t("summary.shortHead"));
    expect(messenger.url.length).toBeLessThanOrEqual(MAX_BUTTON_URL_LENGTH);
    // mailto: cannot be a button; the address is in the text, where Telegram makes it tappable.
    expect(buttons.some((b) => "url" in b && b.url.startsWith("mailto:"))).toBe(false);
    expect((buttons.find((b) => b.text === t("buttons.book")) as { url: string }).url).toBe(BOOKING);
  });

  it.each(["ru", "en"] as const)("%s: the share button says it sends the summary, and what it shares is cut only between lines, saying so, with the request kept", async (lang) => {
    tb = await startTestBot({ contentDir: contentWithFirm(FULL_FIRM) });
    const t = lang === "en" ? en : ru;
    // Every question asked and answered, with the longest answers: the longest summary.
    const { message } = await summaryFor(lang, `R:${encodeAnswers({ who: "m", loc: "a", visa: "u", res: "n", draft: "s", views: "v", rec: "y", group: "f" })}`);
    const buttons = message.reply_markup!.inline_keyboard.flat();
    const share = buttons.find((b) => b.text === t("summary.share")) as { url: string } | undefined;
    expect(share, "the share button says what it sends").toBeDefined();
    const copy = (buttons.find((b) => "copy_text" in b) as { copy_text: { text: string } }).copy_text.text;
    const messenger = new URL((buttons.find((b) => b.text.startsWith("💬")) as { url: string }).url).searchParams.get("text")!;
    const shared = new URL(share!.url).searchParams.get("text")!;
    // The facts, one per line, as the full summary states them.
    const facts = message.text!.split("\n").filter((line) => line.startsWith("• ")).map((line) => line.slice(2));
    for (const text of [shared, copy, messenger]) {
      const lines = text.split("\n");
      expect(lines[0]).toBe(t("summary.shortHead"));
      expect(lines.at(-1)).toBe(t("route.summary.outro"));
      const middle = lines.slice(1, -1);
      const shortened = middle.at(-1) === t("summary.shortened");
      const kept = shortened ? middle.slice(0, -1) : middle;
      // Whole facts, in their order, never a line cut in the middle; the least needed go first,
      // so where the person is, the draft, political views and arrests always reach the attorney.
      expect(kept).toEqual(facts.filter((fact) => kept.includes(fact)));
      expect(shortened).toBe(kept.length < facts.length);
      for (const id of ["loc", "draft", "views", "rec"]) expect(kept.some((line) => line.startsWith(`${t(`guided.questions.${id}.label`)}:`)), id).toBe(true);
    }
    expect(copy.length).toBeLessThanOrEqual(256);
    // Russian takes six characters a letter in a link: the shared text is shortened, and says so.
    if (lang === "ru") expect(shared).toContain(t("summary.shortened"));
  });

  it.each(["ru", "en"] as const)("%s: a short version that must lose lines loses the unanswered questions before any answer given", async (lang) => {
    tb = await startTestBot({ contentDir: contentWithFirm(FULL_FIRM) });
    const t = lang === "en" ? en : ru;
    // A reader with a US visa who would rather not say the rest: the visa is the one fact the attorney gets.
    const { message } = await summaryFor(lang, `R:${encodeAnswers({ who: "m", loc: "a", visa: "y", draft: "ns", views: "ns", rec: "ns", group: "ns" })}`);
    const buttons = message.reply_markup!.inline_keyboard.flat();
    const copy = (buttons.find((b) => "copy_text" in b) as { copy_text: { text: string } }).copy_text.text;
    const shared = new URL((buttons.find((b) => b.text === t("summary.share")) as { url: string }).url).searchParams.get("text")!;
    for (const text of [copy, shared]) {
      expect(text).toContain(`${t("guided.questions.loc.label")}: ${t("guided.questions.loc.facts.a")}`);
      expect(text).toContain(`${t("guided.questions.visa.label")}: ${t("guided.questions.visa.facts.y")}`);
    }
    // Shortened, it dropped only unanswered lines.
    const unanswered = (text: string) => text.split("\n").filter((line) => line.endsWith(`: ${t("guided.notSaid")}`)).length;
    if (copy.includes(t("summary.shortened"))) expect(unanswered(copy)).toBeLessThan(4);
    expect(lang === "en" || shared.includes(t("summary.shortened"))).toBe(true);
  });

  it("a relative's summary says so in its short version, and a messenger at t.me gets the text too", async () => {
    tb = await startTestBot({ contentDir: contentWithFirm({ ...FULL_FIRM, messenger: { label: "Telegram", url: "https://t.me/firm_office" } }) });
    const { message } = await summaryFor("ru", "R:orn.-pna");
    const buttons = message.reply_markup!.inline_keyboard.flat();
    const copy = buttons.find((b) => "copy_text" in b) as { copy_text: { text: string } };
    expect(copy.copy_text.text.startsWith(ru("summary.shortHeadOther"))).toBe(true);
    const messenger = buttons.find((b) => b.text.startsWith("💬")) as { url: string };
    expect(new URL(messenger.url).searchParams.get("text")).toContain(ru("summary.shortHeadOther"));
  });

  it("'your answers were not kept' stays true: the summary's buttons leave nothing in storage", async () => {
    tb = await startTestBot({ contentDir: contentWithFirm(FULL_FIRM) });
    await summaryFor("en");
    await tb.flush();
    const stored = (await tb.rows("records")).map((r) => r.value).join("\n");
    expect(stored).not.toMatch(/mann-pna|R:|summary/);
  });
});
