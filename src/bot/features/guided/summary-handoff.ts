import type { InlineKeyboardButton } from "grammy/types";
import { htmlToText, MAX_BUTTON_URL_LENGTH, MAX_COPY_TEXT_LENGTH } from "../../../telegram/html.js";
import { deepLink } from "../../deep-link.js";
import type { ContentDeps } from "../../deps.js";
import { button } from "../../screen.js";
import type { View } from "../../screens.js";
import { applicableQuestions, decodeAnswers, forOther, PREFER_NOT_TO_SAY } from "./answers.js";

/**
 * How the summary for the lawyer leaves the chat in one tap, without passing through the bot: a
 * button that copies a short version on the reader's own device, the firm's messenger with that
 * text filled in, Telegram's share sheet to send it to any chat, and every contact the firm
 * has in the text (an e-mail address there is tappable; mailto: links cannot be buttons).
 * Everything is built from the button's data, so "your answers were not kept" stays true.
 */

/** Every contact firm.json has, and the booking page, one plain line each: the summary's footer. */
export function summaryContacts(view: View, deps: ContentDeps): string[] {
  const t = view.t;
  const firm = deps.content.firm;
  const name = firm.name[view.lang];
  return [
    ...(name === "" ? [] : [name]),
    ...(firm.phone === "" ? [] : [`📞 ${firm.phone}`]),
    ...(firm.email === "" ? [] : [`✉️ ${firm.email} (${t("summary.emailSubject")})`]),
    ...(firm.messenger.url === "" ? [] : [`💬 ${firm.messenger.label}: ${firm.messenger.url}`]),
    ...(deps.settings.bookingUrl === undefined ? [] : [`📅 ${deps.settings.bookingUrl}`]),
  ];
}

/** The answers as facts, one line each: "Where: in Russia", with the question each answers, and whether it was answered at all. */
function factLines(view: View, code: string): { id: string; line: string; said: boolean }[] {
  const t = view.t;
  const answers = decodeAnswers(code) ?? {};
  return applicableQuestions(answers)
    .filter((q) => q.id !== "who")
    .map((q) => {
      const a = answers[q.id];
      const said = a !== undefined && a !== PREFER_NOT_TO_SAY;
      return { id: q.id, said, line: `${t(`guided.questions.${q.id}.label`)}: ${said ? t(`guided.questions.${q.id}.facts.${a}`) : t("guided.notSaid")}` };
    });
}

/**
 * What an attorney needs first when a short version cannot hold every fact: where the person is,
 * the draft, political views and arrests decide the case; the visa, residence and who travels
 * along can be asked on the call. Cyrillic takes six characters a letter in a link, so a Russian
 * link loses lines an English one keeps: these go last.
 */
const KEEP_LONGEST = ["loc", "draft", "views", "rec", "visa", "res", "group"];

function keepRank(id: string): number {
  const rank = KEEP_LONGEST.indexOf(id);
  return rank === -1 ? KEEP_LONGEST.length : rank;
}

/**
 * The summary short enough for where it goes (`fits`: a copy button's 256 characters, a link's
 * length): who asks, the facts one line each, the request. What does not fit goes a whole line at
 * a time, unanswered questions first, then the least needed fact, and the text then says it was
 * shortened; the request always stays.
 */
export function shortSummary(view: View, code: string, fits: (text: string) => boolean = (text) => text.length <= MAX_COPY_TEXT_LENGTH): string {
  const t = view.t;
  const other = forOther(decodeAnswers(code) ?? {});
  const head = t(other ? "summary.shortHeadOther" : "summary.shortHead");
  const outro = htmlToText(t(other ? "route.summary.outroOther" : "route.summary.outro"));
  const facts = factLines(view, code);
  // "Prefer not to say" tells the attorney nothing: such lines go before any fact that was given.
  const dropOrder = [...facts].sort((a, b) => Number(a.said) - Number(b.said) || keepRank(b.id) - keepRank(a.id));
  for (let dropped = 0; dropped <= facts.length; dropped++) {
    const gone = new Set(dropOrder.slice(0, dropped));
    const kept = facts.filter((f) => !gone.has(f)).map((f) => f.line);
    const text = [head, ...kept, ...(dropped > 0 ? [t("summary.shortened")] : []), outro].join("\n");
    if (fits(text)) return text;
  }
  // Not even who asks and the request fit: the request alone (never cut inside a line).
  return outro;
}

/** A link with `text` as its last query parameter. */
function withText(base: string, param: string, text: string): string {
  return `${base}${base.includes("?") ? "&" : "?"}${param}=${encodeURIComponent(text)}`;
}

/** A link carrying the short summary, shortened by whole lines until the whole link fits Telegram. */
export function linkWithSummary(view: View, code: string, base: string, param: string, max = MAX_BUTTON_URL_LENGTH): string {
  return withText(base, param, shortSummary(view, code, (text) => withText(base, param, text).length <= max));
}

/** A messenger link that opens a chat with the summary typed in, for the messengers that allow it; others open as they are. */
export function messengerLink(url: string, view: View, code: string): string {
  const parsed = new URL(url);
  const prefills =
    (parsed.hostname === "wa.me" && /^\/\d+\/?$/.test(parsed.pathname)) ||
    (parsed.hostname === "t.me" && /^\/[A-Za-z][A-Za-z0-9_]{3,31}\/?$/.test(parsed.pathname) && parsed.search === "");
  return prefills ? linkWithSummary(view, code, url.replace(/\/$/, ""), "text") : url;
}

export function summaryKeyboard(view: View, deps: ContentDeps, code: string): InlineKeyboardButton[][] {
  const t = view.t;
  const messenger = deps.content.firm.messenger;
  const bot = deepLink(view.me.username, { lang: view.lang, source: "sh" });
  // Telegram's share sheet: the reader picks the chat (the firm's, their own saved messages, someone close); the link says where the summary came from.
  const share = linkWithSummary(view, code, `https://t.me/share/url?url=${encodeURIComponent(bot)}`, "text");
  const booking = deps.settings.bookingUrl;
  return [
    [button.copy(t("summary.copy"), shortSummary(view, code))],
    ...(messenger.url === "" ? [] : [[button.url(t("summary.messenger", { label: messenger.label, interpolation: { escapeValue: false } }), messengerLink(messenger.url, view, code))]]),
    [button.url(t("summary.share"), share)],
    ...(booking === undefined ? [] : [[button.url(t("buttons.book"), booking)]]),
  ];
}
