import type { InlineKeyboardButton } from "grammy/types";
import { MAX_BUTTON_URL_LENGTH, MAX_COPY_TEXT_LENGTH } from "../../../telegram/html.js";
import { deepLink } from "../../deep-link.js";
import type { ContentDeps } from "../../deps.js";
import { button } from "../../screen.js";
import type { View } from "../../screens.js";
import { applicableQuestions, decodeAnswers, forOther, PREFER_NOT_TO_SAY } from "./answers.js";

/**
 * How the summary for the lawyer leaves the chat in one tap, without passing through the bot: a
 * button that copies a short version on the reader's own device, the firm's messenger with that
 * text filled in, Telegram's share sheet to send it to someone close, and every contact the firm
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

/** Cuts text at a word boundary so that it is at most `max` long, marking the cut with "…". */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const room = text.slice(0, Math.max(0, max - 1));
  const space = room.lastIndexOf(" ");
  return `${(space > max / 2 ? room.slice(0, space) : room).replace(/[\s,;:.]+$/, "")}…`;
}

/** The answers as one line of facts: "Where: in Russia; US visa: no; …". */
function factsLine(view: View, code: string): string {
  const t = view.t;
  const answers = decodeAnswers(code) ?? {};
  return applicableQuestions(answers)
    .filter((q) => q.id !== "who")
    .map((q) => {
      const a = answers[q.id];
      return `${t(`guided.questions.${q.id}.label`)}: ${a === undefined || a === PREFER_NOT_TO_SAY ? t("guided.notSaid") : t(`guided.questions.${q.id}.facts.${a}`)}`;
    })
    .join("; ");
}

/** The summary in at most 256 characters (a copy button's limit): who asks, the facts, the request. */
export function shortSummary(view: View, code: string, max = MAX_COPY_TEXT_LENGTH): string {
  const t = view.t;
  const other = forOther(decodeAnswers(code) ?? {});
  const head = t(other ? "summary.shortHeadOther" : "summary.shortHead");
  const full = `${head} ${factsLine(view, code)}. ${t("route.summary.outro")}`;
  if (full.length <= max) return full;
  // The request goes first when something must give: the facts are what the lawyer needs.
  return cut(`${head} ${factsLine(view, code)}.`, max);
}

/** A link with `text` as its last query parameter, the text shortened until the whole link fits Telegram. */
export function withText(base: string, param: string, text: string, max = MAX_BUTTON_URL_LENGTH): string {
  const join = base.includes("?") ? "&" : "?";
  const whole = `${base}${join}${param}=${encodeURIComponent(text)}`;
  if (whole.length <= max) return whole;
  let room = text.length;
  for (;;) {
    const url = `${base}${join}${param}=${encodeURIComponent(cut(text, room))}`;
    if (url.length <= max || room <= 1) return url;
    // Cyrillic takes 6 characters per letter once encoded: shrink in proportion, then by steps.
    room = Math.min(room - 1, Math.floor((room * (max - base.length - param.length - 2)) / (url.length - base.length - param.length - 2)));
  }
}

/** A messenger link that opens a chat with the text typed in, for the messengers that allow it; others open as they are. */
export function messengerLink(url: string, text: string): string {
  const parsed = new URL(url);
  const prefills =
    (parsed.hostname === "wa.me" && /^\/\d+\/?$/.test(parsed.pathname)) ||
    (parsed.hostname === "t.me" && /^\/[A-Za-z][A-Za-z0-9_]{3,31}\/?$/.test(parsed.pathname) && parsed.search === "");
  return prefills ? withText(url.replace(/\/$/, ""), "text", text) : url;
}

export function summaryKeyboard(view: View, deps: ContentDeps, code: string): InlineKeyboardButton[][] {
  const t = view.t;
  const short = shortSummary(view, code);
  const messenger = deps.content.firm.messenger;
  const bot = deepLink(view.me.username, { lang: view.lang, source: "sh" });
  const share = withText(`https://t.me/share/url?url=${encodeURIComponent(bot)}`, "text", short);
  const booking = deps.settings.bookingUrl;
  return [
    [button.copy(t("summary.copy"), short)],
    ...(messenger.url === "" ? [] : [[button.url(t("summary.messenger", { label: messenger.label, interpolation: { escapeValue: false } }), messengerLink(messenger.url, short))]]),
    [button.url(t("summary.share"), share)],
    ...(booking === undefined ? [] : [[button.url(t("buttons.book"), booking)]]),
  ];
}
