import { isLang, type Lang } from "../i18n.js";
import type { Intents } from "./intents.js";
import type { TopicSearch } from "./topic-search.js";

/** The "Talk to a lawyer" answer, offered beside the topics. */
export const LAWYER = "lawyer";

export interface Answers {
  /** The language to answer in. */
  lang: Lang;
  /** Topic ids and LAWYER, best first. */
  ids: string[];
}

/**
 * What a query is answered with: the matching topics and the lawyer. The lawyer comes first when
 * the query is only about calling, a price or a lawyer ("how much does a lawyer cost"); second,
 * after the best topic, when it also says more ("a lawyer promises a visa for $5,000"); last
 * otherwise. A leading "ru" or "en" asks for that language (a volunteer who writes in English
 * for relatives who read Russian).
 */
export function answerQuery(search: TopicSearch, intents: Intents, raw: string, userLang: Lang, limit = 10): Answers {
  const text = raw.trim();
  const asked = /^(ru|en)(?:\s+|$)/i.exec(text);
  const forced = asked !== null && isLang(asked[1]!.toLowerCase()) ? (asked[1]!.toLowerCase() as Lang) : undefined;
  const query = forced === undefined ? text : text.slice(asked![0].length);
  const found = search.search(query, forced ?? userLang, limit);
  const said = query === "" ? undefined : intents.recognise(query);
  const aboutLawyer = said !== undefined && (said.intent === "call" || said.intent === "lawyer" || said.intent === "price");
  const topics = found.topics;
  const ids = !aboutLawyer ? [...topics, LAWYER] : !said.more || topics.length === 0 ? [LAWYER, ...topics] : [topics[0]!, LAWYER, ...topics.slice(1)];
  return { lang: forced ?? found.lang, ids };
}
