import { isLang, type Lang } from "../i18n.js";
import { ID } from "../content/schema.js";
import { ANSWERS_PATTERN } from "./features/guided/answers.js";

/**
 * Every button's callback data, built and parsed here and nowhere else. Telegram allows 1-64
 * bytes; the formats are short and stateless, so a button keeps working after a restart, and an
 * old or forged one is recognised as such instead of being misread.
 *
 *   m                          main menu
 *   tl                         topic sections;   ts:<section>     one section's topics
 *   t:<topic>[:<back>]         a topic
 *   u[:<back>]                 what changed: the subjects;   u:<group>:<page>[:<back>]  one page
 *   us:<group>:<page>[:<back>] the sources of one page
 *   h[:<back>]                 talk to a lawyer
 *   d[:<back>]  df[:<back>]    the urgent lane: someone detained in the US; free legal help
 *   db[:<back>]                bond as it stands (from the urgent lane; <back> is the lane's)
 *   dw[:<back>] dr[:<back>] dx[:<back>]   someone detained: where? in Russia; in another country
 *   ds[:<back>] dws[:<back>]   the same, for the person held, who writes themselves: in the US; where?
 *   g  gr                      start "My situation" (gr: for someone close, the first answer given)
 *   g:<question>:<answer>  g:b  g:x     inside the conversation: an answer, back, cancel
 *   R:<answers>  Rd:<answers>[:<page>]  Rs:<answers>  Rc:<answers>   a route, its step details, its
 *                              summary for a lawyer, the card a relative forwards to the person
 *   lang  lang:<ru|en>  sh  og[:<ru|en>[:r]]  pv  fg  fg:y  fg:n
 *
 * <back> says where Back leads: m (menu), l (sections), s.<section>, <topic>, r.<answers>,
 * rd.<page>.<answers> (a page of a route's step details), u, d (the urgent lane), h (the lawyer screen).
 * Routes carry the answers themselves (see guided/answers.ts), never anything stored.
 */

export type Back =
  | { to: "menu" }
  | { to: "sections" }
  | { to: "section"; id: string }
  | { to: "topic"; id: string }
  | { to: "route"; answers: string }
  | { to: "details"; answers: string; page: number }
  | { to: "updates" }
  | { to: "urgent" }
  | { to: "lawyer" };

export type Action =
  | { kind: "menu" }
  | { kind: "sections" }
  | { kind: "section"; id: string }
  | { kind: "topic"; id: string; back: Back }
  | { kind: "updates"; back: Back }
  | { kind: "updatesPage"; group: string; page: number; back: Back }
  | { kind: "updatesSources"; group: string; page: number; back: Back }
  | { kind: "handoff"; back: Back }
  | { kind: "urgent"; back: Back }
  | { kind: "urgentSelf"; back: Back }
  | { kind: "freeHelp"; back: Back }
  | { kind: "bondNow"; back: Back }
  | { kind: "detainedWhere"; back: Back }
  | { kind: "detainedWhereSelf"; back: Back }
  | { kind: "detainedRussia"; back: Back }
  | { kind: "detainedAbroad"; back: Back }
  | { kind: "guidedStart"; forOther: boolean }
  | { kind: "guidedAnswer"; question: string; answer: string }
  | { kind: "guidedBack" }
  | { kind: "guidedCancel" }
  | { kind: "route"; answers: string }
  | { kind: "routeDetails"; answers: string; page: number }
  | { kind: "routeSummary"; answers: string }
  | { kind: "routeCard"; answers: string }
  | { kind: "languagePicker" }
  | { kind: "language"; lang: Lang }
  | { kind: "share" }
  | { kind: "guide"; lang: Lang | undefined; forRelative: boolean }
  | { kind: "privacy" }
  | { kind: "forgetAsk" }
  | { kind: "forgetYes" }
  | { kind: "forgetNo" };

export type ActionKind = Action["kind"];

export const CALLBACK_DATA_MAX_BYTES = 64;

const MENU: Back = { to: "menu" };
const SECTIONS: Back = { to: "sections" };

export const cb = {
  menu: "m",
  sections: "tl",
  section: (id: string) => `ts:${id}`,
  topic: (id: string, back: Back = SECTIONS) => `t:${id}${backSuffix(back, SECTIONS)}`,
  updates: (back: Back = MENU) => `u${backSuffix(back, MENU)}`,
  updatesPage: (group: string, page: number, back: Back = MENU) => `u:${group}:${page}${backSuffix(back, MENU)}`,
  updatesSources: (group: string, page: number, back: Back = MENU) => `us:${group}:${page}${backSuffix(back, MENU)}`,
  handoff: (back: Back = MENU) => `h${backSuffix(back, MENU)}`,
  /** The urgent lane: how to find someone detained, the A-number, the firm and free legal help in one screen. */
  urgent: (back: Back = MENU) => `d${backSuffix(back, MENU)}`,
  /** The same for the person held: the attorney first, and the A-number for the family. */
  urgentSelf: (back: Back = MENU) => `ds${backSuffix(back, MENU)}`,
  freeHelp: (back: Back = MENU) => `df${backSuffix(back, MENU)}`,
  /** Bond as it stands, dated; `back` is where the urgent lane's own Back leads. */
  bondNow: (back: Back = MENU) => `db${backSuffix(back, MENU)}`,
  /** Someone detained, when it is not known where: the question (in the US, in Russia, elsewhere), and the answers for Russia and for another country. */
  detainedWhere: (back: Back = MENU) => `dw${backSuffix(back, MENU)}`,
  detainedWhereSelf: (back: Back = MENU) => `dws${backSuffix(back, MENU)}`,
  detainedRussia: (back: Back = MENU) => `dr${backSuffix(back, MENU)}`,
  detainedAbroad: (back: Back = MENU) => `dx${backSuffix(back, MENU)}`,
  guidedStart: (forOther = false) => (forOther ? "gr" : "g"),
  guidedAnswer: (question: string, answer: string) => `g:${question}:${answer}`,
  guidedBack: "g:b",
  guidedCancel: "g:x",
  route: (answers: string) => `R:${answers}`,
  routeDetails: (answers: string, page = 1) => `Rd:${answers}${page === 1 ? "" : `:${page}`}`,
  routeSummary: (answers: string) => `Rs:${answers}`,
  routeCard: (answers: string) => `Rc:${answers}`,
  languagePicker: "lang",
  language: (lang: Lang) => `lang:${lang}`,
  share: "sh",
  /** The offline guide; for a relative (og:ru:r), the relatives' section comes first. */
  guide: (lang?: Lang, forRelative = false) => (lang === undefined ? "og" : `og:${lang}${forRelative ? ":r" : ""}`),
  privacy: "pv",
  forgetAsk: "fg",
  forgetYes: "fg:y",
  forgetNo: "fg:n",
} as const;

function backSuffix(back: Back, implied: Back): string {
  if (back.to === implied.to) return "";
  switch (back.to) {
    case "menu":
      return ":m";
    case "sections":
      return ":l";
    case "section":
      return `:s.${back.id}`;
    case "topic":
      return `:${back.id}`;
    case "route":
      return `:r.${back.answers}`;
    case "details":
      return `:rd.${back.page}.${back.answers}`;
    case "updates":
      return ":u";
    case "urgent":
      return ":d";
    case "lawyer":
      return ":h";
  }
}

function parseBack(raw: string | undefined, implied: Back): Back | undefined {
  if (raw === undefined) return implied;
  if (raw === "m") return MENU;
  if (raw === "l") return SECTIONS;
  if (raw === "u") return { to: "updates" };
  if (raw === "d") return { to: "urgent" };
  if (raw === "h") return { to: "lawyer" };
  if (raw.startsWith("s.")) return ID.test(raw.slice(2)) ? { to: "section", id: raw.slice(2) } : undefined;
  if (raw.startsWith("r.")) return ANSWERS_PATTERN.test(raw.slice(2)) ? { to: "route", answers: raw.slice(2) } : undefined;
  if (raw.startsWith("rd.")) {
    const details = /^rd\.([1-9])\.(.+)$/.exec(raw);
    return details !== null && ANSWERS_PATTERN.test(details[2]!) ? { to: "details", answers: details[2]!, page: Number(details[1]) } : undefined;
  }
  return ID.test(raw) ? { to: "topic", id: raw } : undefined;
}

const WITH_BACK = { h: "handoff", d: "urgent", ds: "urgentSelf", df: "freeHelp", db: "bondNow", dw: "detainedWhere", dws: "detainedWhereSelf", dr: "detainedRussia", dx: "detainedAbroad" } as const;

const FIXED: Record<string, Action> = {
  m: { kind: "menu" },
  tl: { kind: "sections" },
  g: { kind: "guidedStart", forOther: false },
  gr: { kind: "guidedStart", forOther: true },
  "g:b": { kind: "guidedBack" },
  "g:x": { kind: "guidedCancel" },
  lang: { kind: "languagePicker" },
  sh: { kind: "share" },
  og: { kind: "guide", lang: undefined, forRelative: false },
  pv: { kind: "privacy" },
  fg: { kind: "forgetAsk" },
  "fg:y": { kind: "forgetYes" },
  "fg:n": { kind: "forgetNo" },
};

/**
 * What a button asks for, or undefined for data this bot never made or no longer understands.
 * Only the shape is checked here; whether a topic or group exists is the handler's business.
 */
export function parseCallback(data: string): Action | undefined {
  const fixed = FIXED[data];
  if (fixed !== undefined) return fixed;
  const [head, ...rest] = data.split(":");
  const [a, b, c] = rest;
  switch (head) {
    case "ts":
      return rest.length === 1 && ID.test(a!) ? { kind: "section", id: a! } : undefined;
    case "t": {
      if (rest.length < 1 || rest.length > 2 || !ID.test(a!)) return undefined;
      const back = parseBack(b, SECTIONS);
      return back === undefined ? undefined : { kind: "topic", id: a!, back };
    }
    case "u": {
      if (rest.length <= 1) {
        const back = parseBack(a, MENU);
        return back === undefined ? undefined : { kind: "updates", back };
      }
      if (rest.length > 3 || !ID.test(a!) || !/^[1-9]\d?$/.test(b!)) return undefined;
      const back = parseBack(c, MENU);
      return back === undefined ? undefined : { kind: "updatesPage", group: a!, page: Number(b), back };
    }
    case "us": {
      if (rest.length < 2 || rest.length > 3 || !ID.test(a!) || !/^[1-9]\d?$/.test(b!)) return undefined;
      const back = parseBack(c, MENU);
      return back === undefined ? undefined : { kind: "updatesSources", group: a!, page: Number(b), back };
    }
    case "h":
    case "d":
    case "ds":
    case "df":
    case "db":
    case "dw":
    case "dws":
    case "dr":
    case "dx": {
      if (rest.length > 1) return undefined;
      const back = parseBack(a, MENU);
      if (back === undefined) return undefined;
      return { kind: WITH_BACK[head], back };
    }
    case "g":
      return rest.length === 2 && /^[a-z]{2,5}$/.test(a!) && /^(?:[a-z]|ns)$/.test(b!) ? { kind: "guidedAnswer", question: a!, answer: b! } : undefined;
    case "Rd":
      if (rest.length < 1 || rest.length > 2 || !ANSWERS_PATTERN.test(a!) || (b !== undefined && !/^[2-9]$/.test(b))) return undefined;
      return { kind: "routeDetails", answers: a!, page: b === undefined ? 1 : Number(b) };
    case "R":
    case "Rs":
    case "Rc": {
      if (rest.length !== 1 || !ANSWERS_PATTERN.test(a!)) return undefined;
      const kind = head === "R" ? "route" : head === "Rs" ? "routeSummary" : "routeCard";
      return { kind, answers: a! };
    }
    case "lang":
      return rest.length === 1 && isLang(a) ? { kind: "language", lang: a } : undefined;
    case "og":
      return (rest.length === 1 || (rest.length === 2 && b === "r")) && isLang(a) ? { kind: "guide", lang: a, forRelative: b === "r" } : undefined;
    default:
      return undefined;
  }
}
