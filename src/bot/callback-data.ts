import type { Lang } from "../i18n.js";

/**
 * Every button's callback data, built and parsed in one place. Telegram allows 1-64 bytes;
 * the formats are short and stateless, so a button keeps working after a restart and an
 * old or forged one is recognised as such instead of being misread.
 *
 *   m                   main menu
 *   tl                  topic list
 *   t:<id>[:<back>]     a topic; back is "l" (list), a topic id, or "r.<route>"
 *   lang[:<ru|en>]      language picker / choice
 *   h[:<back>]          lawyer handoff
 *   bk[:<back>]         booking link click (counted, then the link is shown)
 *   g                   start the guided conversation
 *   g:<q>:<a> g:b g:x   an answer, back, cancel (inside the conversation)
 *   r.<route>           a route screen again; rs.<route> its summary for the lawyer
 *   sh                  share screen
 *   og                  offline guide
 *   pv                  privacy screen; fg / fg:y / fg:n forget flow
 */

export type Back = { to: "list" } | { to: "topic"; id: string } | { to: "route"; route: string } | { to: "menu" };

export const cb = {
  menu: "m",
  topicList: "tl",
  topic(id: string, back: Back = { to: "list" }): string {
    return `t:${id}${encodeBack(back)}`;
  },
  languagePicker: "lang",
  language: (lang: Lang) => `lang:${lang}`,
  handoff: (back: Back = { to: "menu" }) => `h${encodeBack(back)}`,
  booking: (back: Back = { to: "menu" }) => `bk${encodeBack(back)}`,
  guidedStart: "g",
  guidedAnswer: (question: string, answer: string) => `g:${question}:${answer}`,
  guidedBack: "g:b",
  guidedCancel: "g:x",
  route: (route: string) => `r.${route}`,
  routeSummary: (route: string) => `rs.${route}`,
  share: "sh",
  offlineGuide: "og",
  privacy: "pv",
  forgetAsk: "fg",
  forgetYes: "fg:y",
  forgetNo: "fg:n",
} as const;

function encodeBack(back: Back): string {
  switch (back.to) {
    case "list":
      return "";
    case "menu":
      return ":m";
    case "topic":
      return `:${back.id}`;
    case "route":
      return `:r.${back.route}`;
  }
}

export function decodeBack(raw: string | undefined): Back | undefined {
  if (raw === undefined || raw === "") return { to: "list" };
  if (raw === "m") return { to: "menu" };
  if (raw.startsWith("r.")) return ROUTE.test(raw.slice(2)) ? { to: "route", route: raw.slice(2) } : undefined;
  return TOPIC_ID.test(raw) ? { to: "topic", id: raw } : undefined;
}

export const TOPIC_ID = /^[a-z][a-z0-9-]{1,23}$/;
/** A route is a string of step letters; see features/guided/route.ts. */
export const ROUTE = /^[A-Za-z]{1,20}$/;

export const CALLBACK_DATA_MAX_BYTES = 64;
