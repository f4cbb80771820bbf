import { Composer } from "grammy";
import { date, footer, notesBlock, pageAddress } from "../../content/render.js";
import type { UpdateItem } from "../../content/schema.js";
import { type Back, cb } from "../callback-data.js";
import type { CallbackRouter } from "../callback-router.js";
import type { BotContext } from "../context.js";
import type { BotDeps, ContentDeps } from "../deps.js";
import { button, type Screen, show } from "../screen.js";
import { backTarget, navRow, renderContext, type View } from "../screens.js";
import { firmLines } from "./handoff.js";

/** The detained screen's texts, in order; every sentence of each names its source (content/sourced.json). */
export const DETAINED_TEXTS = ["urgent.detained.lead", "urgent.detained.find", "urgent.detained.anumber", "urgent.detained.call"] as const;
export const FREE_TEXTS = ["urgent.free.body"] as const;
export const DISTRESS_TEXTS = ["urgent.fear.lead", "urgent.fear.body"] as const;

/**
 * The urgent lane: someone detained in the US (how to find them with ICE's locator, what an
 * A-number is, the attorney in one tap, free legal help beside the firm), and a kind word and the
 * way forward for someone frightened. Nothing here is advice that the transcript, the update list
 * or a named official page does not give; where they are silent, the text sends the reader to the
 * attorney. Other flows link here with cb.urgent(back).
 */
export function urgentFeature(deps: BotDeps, buttons: CallbackRouter): Composer<BotContext> {
  const feature = new Composer<BotContext>();
  buttons
    .on("urgent", (ctx, { back }) => show(ctx, urgentScreen(ctx, deps, back)))
    .on("freeHelp", (ctx, { back }) => show(ctx, freeHelpScreen(ctx, deps, back)));
  return feature;
}

/** A text that names an official page, with its address and the day it was checked filled in. */
function withPage(view: View, deps: ContentDeps, key: string, pageId: string): string {
  const page = deps.content.page(pageId)!;
  return view.t(key, { url: page.url, address: pageAddress(page), checked: date(renderContext(view, deps), page.checked) });
}

/** The update-list items the texts cite, as dated lines: the reader sees how recent each reason is. */
function citedNotes(deps: ContentDeps, keys: readonly string[]): UpdateItem[] {
  const ids = new Set(keys.flatMap((key) => (deps.content.sourced[key] ?? []).flat()).filter((ref) => ref.startsWith("update:")).map((ref) => ref.slice(7)));
  return deps.content.updates.items.filter((item) => ids.has(item.id));
}

function contactsBlock(view: View, deps: ContentDeps): string[] {
  const { contacts } = firmLines(view, deps, { brief: true });
  const name = deps.content.firm.name[view.lang];
  // The firm's name and how to reach it; the rest (format, cost, hours) is on the lawyer screen, one tap away.
  const lines = [...(name === "" ? [] : [view.t("handoff.firm", { name })]), ...contacts];
  return lines.length === 0 ? [] : [lines.join("\n")];
}

export function urgentScreen(view: View, deps: ContentDeps, back: Back): Screen {
  const t = view.t;
  const r = renderContext(view, deps);
  const here: Back = { to: "urgent" };
  const html = [
    t("urgent.detained.title"),
    t("urgent.detained.lead"),
    withPage(view, deps, "urgent.detained.find", "ice-locator"),
    t("urgent.detained.anumber"),
    t("urgent.detained.call"),
    notesBlock(r, citedNotes(deps, DETAINED_TEXTS)),
    ...contactsBlock(view, deps),
    footer(r),
  ]
    .filter((part) => part !== "")
    .join("\n\n");
  const booking = deps.settings.bookingUrl;
  return {
    html,
    keyboard: [
      ...(booking === undefined ? [] : [[button.url(t("buttons.book"), booking)]]),
      [button.cb(t("buttons.lawyer"), cb.handoff(here))],
      [button.cb(t("buttons.freeHelp"), cb.freeHelp(here))],
      [button.cb(t("topics.detention.button"), cb.topic("detention", here)), button.cb(t("topics.bond.button"), cb.topic("bond", here))],
      navRow(view, backTarget(back, deps)),
    ],
  };
}

export function freeHelpScreen(view: View, deps: ContentDeps, back: Back): Screen {
  const t = view.t;
  const r = renderContext(view, deps);
  const html = [t("urgent.free.title"), withPage(view, deps, "urgent.free.body", "eoir-pro-bono"), ...contactsBlock(view, deps), footer(r)].join("\n\n");
  return { html, keyboard: [[button.cb(t("buttons.lawyer"), cb.handoff({ to: "urgent" }))], navRow(view, backTarget(back, deps))] };
}

/** For someone frightened: a kind word first, then the route, the lawyer, and the urgent lane if someone is held. */
export function distressScreen(view: View): Screen {
  const t = view.t;
  return {
    html: [t("urgent.fear.lead"), t("urgent.fear.body"), t("common.disclaimer")].join("\n\n"),
    keyboard: [
      [button.cb(t("buttons.guided"), cb.guidedStart())],
      [button.cb(t("buttons.relative"), cb.guidedStart(true))],
      [button.cb(t("buttons.lawyer"), cb.handoff())],
      [button.cb(t("buttons.urgent"), cb.urgent())],
      [button.cb(t("buttons.home"), cb.menu)],
    ],
  };
}
