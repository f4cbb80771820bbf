import { Composer } from "grammy";
import type { InlineQueryResultArticle } from "grammy/types";
import { type Lang, languageFromTelegram } from "../../i18n.js";
import { ABROAD, answerQuery, DETAINED_ABROAD, DETAINED_RUSSIA, DETAINED_US, FREE_HELP, LAWYER, URGENT_CARDS } from "../../search/answer.js";
import type { Place } from "../../search/intents.js";
import { htmlToText } from "../../telegram/html.js";
import type { BotContext, SessionData } from "../context.js";
import { deepLink } from "../deep-link.js";
import type { BotDeps } from "../deps.js";
import { button } from "../screen.js";
import { renderContext, renderedOnce, type View } from "../screens.js";
import { abroadHtml } from "./abroad.js";
import { firmLines } from "./handoff.js";
import { detainedAbroadScreen, detainedRussiaScreen, detainedUsHtml, freeHelpScreen } from "./urgent.js";

/** Results are cached by Telegram for a few minutes: content changes rarely, queries repeat often. */
const CACHE_SECONDS = 300;

/**
 * Inline mode: "@bot question" in any chat finds topics and posts a self-contained card with a
 * button that opens the bot at that topic, plus a "Talk to a lawyer" card. Cards follow the
 * query's language; a leading "ru" or "en" asks for that language (a volunteer writing in
 * English for relatives who read Russian). Results depend on the user, so Telegram is told they
 * are personal.
 */
export function inlineFeature(deps: BotDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();

  feature.on("inline_query", async (ctx) => {
    // The language chosen in the bot wins over the app's.
    const chosen = ctx.records?.session<SessionData>()?.lang;
    const { lang, ids, place } = answerQuery(deps.search, deps.intents, ctx.inlineQuery.query.slice(0, 256), chosen ?? languageFromTelegram(ctx.from.language_code));
    deps.stats.count("inline_query", lang);
    const view: View = { t: deps.i18n.t(lang), lang, me: ctx.me };
    const r = renderContext(view, deps);
    const abroadCard = (): InlineQueryResultArticle => ({
      type: "article",
      id: resultId(lang, ABROAD),
      title: view.t("inline.abroadTitle"),
      description: view.t("inline.abroadDescription"),
      input_message_content: { message_text: abroadHtml(view, deps, place), parse_mode: "HTML", link_preview_options: { is_disabled: true } },
      reply_markup: { inline_keyboard: [[button.url(view.t("buttons.openInBot"), deepLink(ctx.me.username, { lang, source: "in" }))]] },
    });
    const card = (id: string): InlineQueryResultArticle => (id === LAWYER ? lawyerCard(view, deps) : id === ABROAD ? abroadCard() : (urgentCard(view, deps, id, place) ?? topicCard(id)));
    const topicCard = (id: string): InlineQueryResultArticle => ({
      type: "article",
      id: resultId(lang, id),
      title: view.t(`topics.${id}.title`),
      description: view.t(`topics.${id}.description`),
      input_message_content: { message_text: renderedOnce(r, deps.content.topic(id)!, "card"), parse_mode: "HTML", link_preview_options: { is_disabled: true } },
      reply_markup: { inline_keyboard: [[button.url(view.t("buttons.openInBot"), deepLink(ctx.me.username, { lang, topic: id, source: "in" }))]] },
    });
    await ctx.answerInlineQuery(ids.map(card), {
      cache_time: CACHE_SECONDS,
      is_personal: true,
      button: { text: view.t(ids.length === 1 ? "inline.empty" : "inline.openBot"), start_parameter: lang },
    });
  });

  feature.on("chosen_inline_result", (ctx) => {
    const topic = parseResultId(ctx.chosenInlineResult.result_id);
    if (topic !== undefined && (URGENT_CARDS.has(topic) || topic === LAWYER || topic === ABROAD || deps.content.topic(topic) !== undefined)) deps.stats.count("inline_chosen", topic);
  });

  return feature;
}

/**
 * The urgent lane as cards for any chat, each the screen the bot itself shows (the locator, the
 * A-number, bond as it stands, the firm; or what the sources say about Russia or another country;
 * or free legal help), titled by where the person is held, so a relative picks the one that fits.
 */
function urgentCard(view: View, deps: BotDeps, id: string, place: Place | undefined): InlineQueryResultArticle | undefined {
  const t = view.t;
  const menu = { to: "menu" } as const;
  const cards: Record<string, () => { title: string; description: string; html: string }> = {
    [DETAINED_US]: () => ({ title: t("urgent.detained.title"), description: t("urgent.detained.lead"), html: detainedUsHtml(view, deps, "card") }),
    [DETAINED_RUSSIA]: () => ({ title: t("urgent.russia.title"), description: t("urgent.russia.silent"), html: detainedRussiaScreen(view, deps, menu).html }),
    [DETAINED_ABROAD]: () => ({ title: t("urgent.abroad.title"), description: t("urgent.abroad.silent"), html: detainedAbroadScreen(view, deps, menu, place).html }),
    [FREE_HELP]: () => ({ title: t("urgent.free.title"), description: t("inline.freeHelpDescription"), html: freeHelpScreen(view, deps, menu).html }),
  };
  const made = cards[id]?.();
  if (made === undefined) return undefined;
  return {
    type: "article",
    id: resultId(view.lang, id),
    title: htmlToText(made.title),
    description: htmlToText(made.description),
    input_message_content: { message_text: made.html, parse_mode: "HTML", link_preview_options: { is_disabled: true } },
    reply_markup: { inline_keyboard: [[button.url(t("buttons.openInBot"), deepLink(view.me.username, { lang: view.lang, topic: id, source: "in" }))]] },
  };
}

/** The firm's contacts as a card for any chat: for whoever the reader is helping. */
function lawyerCard(view: View, deps: BotDeps): InlineQueryResultArticle {
  const t = view.t;
  const { about, contacts } = firmLines(view, deps);
  const booking = deps.settings.bookingUrl;
  const text = [t("handoff.title"), about.join("\n"), ...(contacts.length === 0 ? [] : [contacts.join("\n")]), t("common.disclaimer"), `<i>${t("common.signature", { username: view.me.username })}</i>`].join("\n\n");
  return {
    type: "article",
    id: resultId(view.lang, LAWYER),
    title: t("inline.lawyerTitle"),
    description: t("inline.lawyerDescription"),
    input_message_content: { message_text: text, parse_mode: "HTML", link_preview_options: { is_disabled: true } },
    reply_markup: {
      inline_keyboard: [
        ...(booking === undefined ? [] : [[button.url(t("buttons.book"), booking)]]),
        [button.url(t("buttons.openInBot"), deepLink(view.me.username, { lang: view.lang, source: "in" }))],
      ],
    },
  };
}

/** Stable, short (well under Telegram's 64 bytes) and free of anything about the user. */
export function resultId(lang: Lang, topicId: string): string {
  return `${lang}:${topicId}`;
}

function parseResultId(id: string): string | undefined {
  return /^(?:ru|en):([a-z0-9-]+)$/.exec(id)?.[1];
}
