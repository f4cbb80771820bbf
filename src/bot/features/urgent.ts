import { Composer } from "grammy";
import { date, footer, notesBlock, pageAddress, sourcesMonth } from "../../content/render.js";
import type { UpdateItem } from "../../content/schema.js";
import type { Place } from "../../search/intents.js";
import { type Back, cb } from "../callback-data.js";
import type { CallbackRouter } from "../callback-router.js";
import type { BotContext } from "../context.js";
import type { BotDeps, ContentDeps } from "../deps.js";
import { button, type Screen, show } from "../screen.js";
import { backTarget, navRow, renderContext, type View } from "../screens.js";
import { firmLines } from "./handoff.js";

/** The detained screen's texts, in order; every sentence of each names its source (content/sourced.json). */
export const DETAINED_TEXTS = ["urgent.detained.lead", "urgent.detained.find", "urgent.detained.leadSelf", "urgent.detained.withdrawSelf", "urgent.detained.anumber", "urgent.detained.call", "urgent.detained.callSelf", "urgent.detained.elsewhere", "urgent.detained.elsewhereSelf"] as const;
/** Bond as it stands: one status, dated, with the bond topic's notes. */
export const BOND_TEXTS = ["urgent.bond.body"] as const;
/** Someone held in Russia, or in a third country: what the bot's sources say there, which is little, and the attorney. */
export const RUSSIA_TEXTS = ["urgent.sorry", "urgent.russia.silent", "urgent.russia.exit", "urgent.callFirm"] as const;
export const ABROAD_TEXTS = ["urgent.sorry", "urgent.abroad.silent", "urgent.callFirm"] as const;
export const WHERE_TEXTS = ["urgent.where.body", "urgent.where.bodySelf"] as const;
export const FREE_TEXTS = ["urgent.free.body", "urgent.free.firm"] as const;
export const DISTRESS_TEXTS = ["urgent.fear.lead", "urgent.fear.body"] as const;

/**
 * Bond now, dated: the notes the bond topic carries (content/topics.json), shown the same on the
 * urgent lane, the topic, its card and the offline guide, so the status is one everywhere.
 */
export const BOND_TOPIC = "bond";

/**
 * The urgent lane: someone detained. Where decides what helps: in the US, how to find the person
 * with ICE's locator, what an A-number is, bond as it stands and the attorney in one tap, free legal
 * help beside the firm; in Russia or a third country, honestly, that the bot's sources say nothing
 * about it (with Russia's exit bans, dated), and the attorney. When it is not known where, the bot
 * asks. And a kind word and the way forward for someone frightened. Nothing here is advice that the
 * transcript, the update list or a named official page does not give; where they are silent, the
 * text says so and sends the reader to the attorney. Other flows link here with cb.urgent(back), or
 * cb.detainedWhere(back) when the place is not known.
 */
export function urgentFeature(deps: BotDeps, buttons: CallbackRouter): Composer<BotContext> {
  const feature = new Composer<BotContext>();
  buttons
    .on("urgent", (ctx, { back }) => show(ctx, urgentScreen(ctx, deps, back)))
    .on("urgentSelf", (ctx, { back }) => show(ctx, urgentScreen(ctx, deps, back, true)))
    .on("freeHelp", (ctx, { back }) => show(ctx, freeHelpScreen(ctx, deps, back)))
    .on("bondNow", (ctx, { back }) => show(ctx, bondScreen(ctx, deps, back)))
    .on("detainedWhere", (ctx, { back }) => show(ctx, detainedWhereScreen(ctx, back)))
    .on("detainedWhereSelf", (ctx, { back }) => show(ctx, detainedWhereScreen(ctx, back, true)))
    .on("detainedRussia", (ctx, { back }) => show(ctx, detainedRussiaScreen(ctx, deps, back)))
    .on("detainedAbroad", (ctx, { back }) => show(ctx, detainedAbroadScreen(ctx, deps, back)));
  return feature;
}

/** A text that names an official page, with its address and the day it was checked filled in. */
export function withPage(view: View, deps: ContentDeps, key: string, pageId: string): string {
  const page = deps.content.page(pageId)!;
  return view.t(key, { url: page.url, address: pageAddress(page), checked: date(renderContext(view, deps), page.checked) });
}

/** The update-list items the texts cite, as dated lines, in the list's order: the reader sees how recent each reason is. */
export function citedNotes(deps: ContentDeps, keys: readonly string[]): UpdateItem[] {
  const ids = new Set(keys.flatMap((key) => (deps.content.sourced[key] ?? []).flat()).filter((ref) => ref.startsWith("update:")).map((ref) => ref.slice(7)));
  return deps.content.updates.items.filter((item) => ids.has(item.id));
}

/** A text about bond, dated by the newest source of the bond notes: "as reported up to February 2026". */
export function bondText(view: View, deps: ContentDeps, key: string): string {
  return view.t(key, { month: sourcesMonth(renderContext(view, deps), bondNotes(deps)) ?? "" });
}

/** Bond as it stands: the bond topic's dated notes, and any other item the bond texts cite. */
export function bondNotes(deps: ContentDeps): UpdateItem[] {
  // The bond texts' citations; the warning for the person held cites the deportation flights, which are not about bond.
  const cited = citedNotes(deps, [...DETAINED_TEXTS.filter((key) => key !== "urgent.detained.withdrawSelf"), ...BOND_TEXTS]);
  return [...deps.content.notesFor(BOND_TOPIC), ...cited].filter((item, i, list) => list.indexOf(item) === i);
}

function contactsBlock(view: View, deps: ContentDeps): string[] {
  const { contacts } = firmLines(view, deps, { brief: true });
  const name = deps.content.firm.name[view.lang];
  // The firm's name and how to reach it; the rest (format, cost, hours) is on the lawyer screen, one tap away.
  const lines = [...(name === "" ? [] : [view.t("handoff.firm", { name })]), ...contacts];
  return lines.length === 0 ? [] : [lines.join("\n")];
}

function compose(parts: string[]): string {
  return parts.filter((part) => part !== "").join("\n\n");
}

/** The lawyer in one tap, and the booking page when there is one. */
function firmButtons(view: View, deps: ContentDeps, here: Back) {
  const booking = deps.settings.bookingUrl;
  return [...(booking === undefined ? [] : [[button.url(view.t("buttons.book"), booking)]]), [button.cb(view.t("buttons.lawyer"), cb.handoff(here))]];
}

/**
 * Someone held in the US: how to find them, the A-number, the attorney. On the screen a line
 * points at the buttons for other places and "Bond now" is a button; on a card posted to another
 * chat, which has no such buttons, "Bond now" follows in the card itself.
 */
export function detainedUsHtml(view: View, deps: ContentDeps, on: "screen" | "card", self = false): string {
  const t = view.t;
  const r = renderContext(view, deps);
  return compose([
    // Someone held who writes themselves needs the attorney first, and to let their family find them; not how to search for someone.
    ...(self
      ? [t("urgent.detained.titleSelf"), withPage(view, deps, "urgent.detained.leadSelf", "ice-locator"), t("urgent.detained.withdrawSelf")]
      : [t("urgent.detained.title"), t("urgent.detained.lead"), withPage(view, deps, "urgent.detained.find", "ice-locator")]),
    t("urgent.detained.anumber"),
    bondText(view, deps, self ? "urgent.detained.callSelf" : "urgent.detained.call"),
    ...contactsBlock(view, deps),
    ...(on === "screen" ? [t(self ? "urgent.detained.elsewhereSelf" : "urgent.detained.elsewhere")] : [t("urgent.bond.title"), bondText(view, deps, "urgent.bond.body"), notesBlock(r, bondNotes(deps))]),
    footer(r),
  ]);
}

export function urgentScreen(view: View, deps: ContentDeps, back: Back, self = false): Screen {
  const t = view.t;
  const here: Back = { to: "urgent" };
  return {
    html: detainedUsHtml(view, deps, "screen", self),
    keyboard: [
      ...firmButtons(view, deps, here),
      [button.cb(t("buttons.freeHelp"), cb.freeHelp(here))],
      [button.cb(t("buttons.bondNow"), cb.bondNow(back))],
      [button.cb(t("buttons.inRussia"), cb.detainedRussia(back)), button.cb(t("buttons.inAnotherCountry"), cb.detainedAbroad(back))],
      navRow(view, backTarget(back, deps)),
    ],
  };
}

/**
 * Bond as it stands for someone held in the US: one dated status and every bond note (the bond
 * topic's, as its inline card carries them), the attorney, and the 2022 account one tap away.
 * Back returns to the urgent lane, which keeps its own Back.
 */
export function bondScreen(view: View, deps: ContentDeps, back: Back): Screen {
  const t = view.t;
  const r = renderContext(view, deps);
  const here: Back = { to: "urgent" };
  return {
    html: compose([t("urgent.bond.title"), bondText(view, deps, "urgent.bond.body"), notesBlock(r, bondNotes(deps)), ...contactsBlock(view, deps), footer(r)]),
    keyboard: [
      ...firmButtons(view, deps, here),
      [button.cb(t("topics.bond.button"), cb.topic(BOND_TOPIC, here))],
      navRow(view, cb.urgent(back)),
    ],
  };
}

/**
 * Someone detained, and the message does not say where (or names a border without saying whose):
 * one tap to say. Asked by the person held (`self`), it asks where they are, and in the US leads
 * to the screen for them (the attorney first), not to how a relative searches for someone.
 */
export function detainedWhereScreen(view: View, back: Back, self = false): Screen {
  const t = view.t;
  return {
    html: self ? `${t("urgent.where.titleSelf")}\n\n${t("urgent.where.bodySelf")}` : `${t("urgent.where.title")}\n\n${t("urgent.where.body")}`,
    keyboard: [
      [button.cb(t("buttons.inUs"), self ? cb.urgentSelf(back) : cb.urgent(back))],
      [button.cb(t("buttons.inRussia"), cb.detainedRussia(back))],
      [button.cb(t("buttons.inAnotherCountry"), cb.detainedAbroad(back))],
      [button.cb(t("buttons.lawyer"), cb.handoff())],
      navRow(view, backTarget(back)),
    ],
  };
}

/** Held in Russia: the sources say nothing about it; what they say about exit bans, dated, for someone stopped on the way out; the attorney. */
export function detainedRussiaScreen(view: View, deps: ContentDeps, back: Back): Screen {
  const t = view.t;
  const r = renderContext(view, deps);
  return {
    html: compose([
      t("urgent.russia.title"),
      `${t("urgent.sorry")} ${t("urgent.russia.silent")}`,
      t("urgent.russia.exit"),
      t("urgent.callFirm"),
      notesBlock(r, citedNotes(deps, RUSSIA_TEXTS)),
      ...contactsBlock(view, deps),
      footer(r),
    ]),
    keyboard: [
      ...firmButtons(view, deps, back),
      [button.cb(t("buttons.inUs"), cb.urgent(back)), button.cb(t("buttons.inAnotherCountry"), cb.detainedAbroad(back))],
      navRow(view, backTarget(back, deps)),
    ],
  };
}

/** Held in a third country (named, when the message named it): the sources say nothing about it; the attorney. Nothing is invented about any country. */
export function detainedAbroadScreen(view: View, deps: ContentDeps, back: Back, place?: Place): Screen {
  const t = view.t;
  const r = renderContext(view, deps);
  return {
    html: compose([
      place === undefined ? t("urgent.abroad.title") : t("urgent.abroad.titleNamed", { country: place.name[view.lang] }),
      `${t("urgent.sorry")} ${t("urgent.abroad.silent")}`,
      t("urgent.callFirm"),
      ...contactsBlock(view, deps),
      footer(r),
    ]),
    keyboard: [
      ...firmButtons(view, deps, back),
      [button.cb(t("buttons.inUs"), cb.urgent(back)), button.cb(t("buttons.inRussia"), cb.detainedRussia(back))],
      navRow(view, backTarget(back, deps)),
    ],
  };
}

export function freeHelpScreen(view: View, deps: ContentDeps, back: Back): Screen {
  const t = view.t;
  const r = renderContext(view, deps);
  const html = compose([t("urgent.free.title"), `${withPage(view, deps, "urgent.free.body", "eoir-pro-bono")}\n${t("urgent.free.firm")}`, ...contactsBlock(view, deps), footer(r)]);
  return { html, keyboard: [[button.cb(t("buttons.lawyer"), cb.handoff({ to: "urgent" }))], navRow(view, backTarget(back, deps))] };
}

/**
 * For someone frightened, or who writes only "urgent": a kind word first, the firm's number on
 * the screen itself, then the route, the lawyer, and the urgent lane if someone is held.
 */
export function distressScreen(view: View, deps: ContentDeps): Screen {
  const t = view.t;
  return {
    html: compose([t("urgent.fear.lead"), t("urgent.fear.body"), ...contactsBlock(view, deps), t("common.disclaimer")]),
    keyboard: [
      [button.cb(t("buttons.guided"), cb.guidedStart())],
      [button.cb(t("buttons.relative"), cb.guidedStart(true))],
      [button.cb(t("buttons.lawyer"), cb.handoff())],
      [button.cb(t("buttons.urgent"), cb.detainedWhere())],
      [button.cb(t("buttons.home"), cb.menu)],
    ],
  };
}
