import { isLang, type Lang } from "../i18n.js";
import { STOP_WORDS, words } from "./text.js";
import type { Intent, Intents, Place } from "./intents.js";
import type { TopicSearch } from "./topic-search.js";

/** The "Talk to a lawyer" answer, offered beside the topics. */
export const LAWYER = "lawyer";
/** The card for someone in a third country, offered first when a query names one. */
export const ABROAD = "abroad";
/** The urgent lane's cards, offered first when a query speaks of someone detained, or of having no money for a lawyer. */
export const DETAINED_US = "detained-us";
export const DETAINED_RUSSIA = "detained-russia";
export const DETAINED_ABROAD = "detained-abroad";
export const FREE_HELP = "free-help";
export const URGENT_CARDS: ReadonlySet<string> = new Set([DETAINED_US, DETAINED_RUSSIA, DETAINED_ABROAD, FREE_HELP]);

export interface Answers {
  /** The language to answer in. */
  lang: Lang;
  /** Topic ids, ABROAD and LAWYER, best first. */
  ids: string[];
  /** The country the query named, if any. */
  place?: Place;
}

const LAWYER_INTENTS: ReadonlySet<Intent> = new Set(["call", "lawyer", "price", "cannotPay"]);
/** Intents that decide the reply whatever else the text says. */
const DECISIVE: ReadonlySet<Intent> = new Set(["forget", "bot", "detained", "relative", "distress", "atBorder", "deadline", "cannotPay"]);
/**
 * What must not wait behind a question of the guided flow: deleting one's data, someone detained,
 * fear, and a direct question about reaching the attorney, what it costs, having no money, or
 * whether this is a bot. Anything else typed meanwhile («я в Сербии») shows the question again.
 */
const CANNOT_WAIT: ReadonlySet<Intent> = new Set(["forget", "detained", "distress", "bot", "cannotPay", "price", "call", "lawyer"]);
/** What a third country's card leads on to, when a query names only the country: getting to the US with a visa, and why not the border. */
export const ABROAD_TOPICS = ["visa-inside", "border"] as const;
/** Small talk: the reply, unless the text says more than a word besides. */
const SMALL_TALK: ReadonlySet<Intent> = new Set(["thanks", "ok", "greeting"]);

/**
 * What a query is answered with in inline mode: the third-country card when it names a country,
 * the matching topics, and the lawyer. The lawyer comes first when the query is only about
 * calling, a price or a lawyer ("how much does a lawyer cost"); second, after the best topic,
 * when it also says more ("a lawyer promises a visa for $5,000"); last otherwise. A leading "ru"
 * or "en" asks for that language (a volunteer who writes in English for relatives who read Russian).
 */
export function answerQuery(search: TopicSearch, intents: Intents, raw: string, userLang: Lang, limit = 10): Answers {
  const text = raw.trim();
  const asked = /^(ru|en)(?:\s+|$)/i.exec(text);
  const forced = asked !== null && isLang(asked[1]!.toLowerCase()) ? (asked[1]!.toLowerCase() as Lang) : undefined;
  const query = forced === undefined ? text : text.slice(asked![0].length);
  const said = query === "" ? undefined : intents.recognise(query);
  const place = query === "" ? undefined : intents.place(query);
  // A country's name says where the reader is, not what about: the topics answer the rest of the query, and a query that is only a country gets the card's own topics.
  const rest = place === undefined ? query : intents.withoutPlace(query);
  const urgent = said === undefined || query === "" ? [] : urgentCards(intents, query, said);
  const found = search.search(rest, forced ?? userLang, limit - urgent.length);
  const countryOnly = place !== undefined && !meaningful(rest);
  const topics = countryOnly ? [...ABROAD_TOPICS] : place === undefined ? found.topics : found.topics.slice(0, Math.max(0, limit - 1));
  const aboutLawyer = said !== undefined && LAWYER_INTENTS.has(said.intent);
  const ids = !aboutLawyer ? [...topics, LAWYER] : said.more === 0 || topics.length === 0 ? [LAWYER, ...topics] : [topics[0]!, LAWYER, ...topics.slice(1)];
  // The language is the whole query's: «грузия» is Russian, "gruziya" transliterated Russian, "georgia" the user's.
  const lang = forced ?? (place === undefined ? found.lang : !/[a-z]/i.test(query) ? "ru" : search.search(query, userLang, 1).lang);
  return { lang, ids: [...urgent, ...(place === undefined ? ids : [ABROAD, ...ids])], ...(place === undefined ? {} : { place }) };
}

/**
 * What a relative searching "@bot задержали сына" needs before any topic: where to look for the
 * person, one card per place when the query does not say where (a card cannot ask, as the chat
 * does); and free legal help for "no money for a lawyer".
 */
function urgentCards(intents: Intents, query: string, said: NonNullable<ReturnType<Intents["recognise"]>>): string[] {
  if (said.all.includes("detained")) {
    const reading = detainedReading(intents, query);
    if (reading.where === "us") return [DETAINED_US];
    if (reading.where === "russia") return [DETAINED_RUSSIA];
    if (reading.where === "abroad") return [DETAINED_ABROAD];
    return [DETAINED_US, DETAINED_RUSSIA, DETAINED_ABROAD];
  }
  return said.all.includes("cannotPay") ? [FREE_HELP] : [];
}

/** Whether a text says anything besides stop words: "в" of «в Грузии» is nothing. */
function meaningful(text: string): boolean {
  return words(text).some((w) => !STOP_WORDS.ru.has(w) && !STOP_WORDS.en.has(w));
}

/** Where a detention happened, as the bot answers it: the US lane, Russia, a third country it names, or a question when the text does not say (or names a border without saying whose). */
export type DetainedReading = ({ kind: "detained"; where: "us" | "russia" | "ask" } | { kind: "detained"; where: "abroad"; place: Place }) & { self?: true };

/** What the bot does with a message typed in its chat. */
export type TypedReading =
  /** A decisive intent (forget, bot, relative, distress, at the border, the deadline, no money) or small talk; topics that may help besides. */
  | { kind: "intent"; intent: Intent; topics: string[] }
  /** Someone detained: where, as far as the text says. */
  | DetainedReading
  /** Calling, a lawyer or the price: the lawyer screen. */
  | { kind: "lawyer"; intent: "call" | "lawyer" | "price" }
  /** Someone in a third country: its card, with the topics that may help. */
  | { kind: "place"; place: Place; topics: string[] }
  | { kind: "topics"; topics: string[] }
  | { kind: "none" };

/**
 * The one decision about typed text, in order: what must not wait (deleting one's data, "are you
 * a bot", someone detained, writing for someone close, fear), a country, the lawyer or the price,
 * small talk, and otherwise the topics. Nothing typed is kept.
 */
export function readTyped(search: TopicSearch, intents: Intents, text: string, lang: Lang): TypedReading {
  const said = intents.recognise(text);
  // A message without a word ("?", 👍, a zero-width space) matches no topic: the search's opening list is for an empty inline query, not an answer.
  const topics = () => (meaningful(text) ? search.search(text, lang, 3).topics : []);
  if (said?.intent === "detained") return detainedReading(intents, text);
  if (said?.intent === "atBorder" && notUsBorder(intents, text)) return { kind: "topics", topics: [LEAVE_RUSSIA, ...topics().filter((id) => id !== LEAVE_RUSSIA)].slice(0, 3) };
  if (said !== undefined && DECISIVE.has(said.intent)) return { kind: "intent", intent: said.intent, topics: said.intent === "relative" ? topics() : [] };
  const place = intents.place(text);
  if (place !== undefined) {
    const rest = intents.withoutPlace(text);
    return { kind: "place", place, topics: meaningful(rest) ? search.search(rest, lang, 3).topics : [] };
  }
  if (said !== undefined && LAWYER_INTENTS.has(said.intent)) {
    const found = said.more === 0 ? [] : topics();
    // "How much does a lawyer cost": the lawyer. "A lawyer promised me a visa": the topics, with the lawyer beside them.
    if (found.length === 0 || found[0] === "attorney") return { kind: "lawyer", intent: said.intent as "call" | "lawyer" | "price" };
    return { kind: "topics", topics: found };
  }
  if (said !== undefined && SMALL_TALK.has(said.intent) && said.more <= 1) return { kind: "intent", intent: said.intent, topics: [] };
  const found = topics();
  if (found.length > 0) return { kind: "topics", topics: found };
  return said === undefined ? { kind: "none" } : { kind: "intent", intent: said.intent, topics: [] };
}

/** The topic for someone still in Russia: leaving before a summons, and the exit ban. */
const LEAVE_RUSSIA = "leave-russia";
/** The US border's neighbour: a border there is the one the warning is for. */
const US_NEIGHBOUR = "mexico";

/**
 * "I am at the border" names no country: the US border's warning is the answer unless the text
 * places the border in Russia or names another country than Mexico («на границе с Грузией»):
 * that is the way out of Russia, where the exit ban is what matters.
 */
function notUsBorder(intents: Intents, text: string): boolean {
  const where = intents.detainedWhere(text);
  if (where === "us") return false;
  if (where === "russia") return true;
  const place = intents.place(text);
  return place !== undefined && place.id !== US_NEIGHBOUR;
}

/**
 * Where a detention happened decides what helps: ICE's locator only for the US. A message that
 * names the US (or ICE, «детеншн») goes to the US lane; Russia or a third country to what the bot
 * can honestly say there; a border it does not name, or no place at all, is asked about.
 */
export function detainedReading(intents: Intents, text: string): DetainedReading {
  const self = intents.detainedSelf(text) ? ({ self: true } as const) : {};
  const where = intents.detainedWhere(text);
  if (where === "us" || where === "russia") return { kind: "detained", where, ...self };
  const place = where === "border" ? undefined : intents.place(text);
  return place === undefined ? { kind: "detained", where: "ask", ...self } : { kind: "detained", where: "abroad", place, ...self };
}

/** Typed text that is answered at once even while a guided question waits for a button: the question stays open. */
export function cannotWait(intents: Intents, text: string): boolean {
  return intents.recognise(text)?.all.some((intent) => CANNOT_WAIT.has(intent)) ?? false;
}

/** A reading as a label of the labelled typed-message set (test/typed-messages.json). */
export function typedLabel(reading: TypedReading): string {
  switch (reading.kind) {
    case "intent":
      return reading.intent;
    case "detained":
      return reading.where === "us" ? "detained" : `detained:${reading.where}`;
    case "lawyer":
      return reading.intent === "price" ? "price" : "lawyer";
    case "place":
      return "country";
    case "topics":
      return `topic:${reading.topics[0]}`;
    case "none":
      return "noMatch";
  }
}
