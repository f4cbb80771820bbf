import { Composer } from "grammy";
import { firmAbout } from "../../content/render.js";
import { type Back, cb } from "../callback-data.js";
import type { CallbackRouter } from "../callback-router.js";
import type { BotContext } from "../context.js";
import type { BotDeps, ContentDeps } from "../deps.js";
import { button, type Screen, show } from "../screen.js";
import { backTarget, navRow, type View } from "../screens.js";
import { decodeAnswers } from "./guided/answers.js";

/**
 * The consultation handoff: who the firm is, how and in which language a consultation is held,
 * what it costs, how to reach the firm from abroad, what to prepare, and booking in one tap. No
 * link carries anything about the user, and the bot passes nothing on.
 */
export function handoffFeature(deps: BotDeps, buttons: CallbackRouter): Composer<BotContext> {
  const feature = new Composer<BotContext>();

  async function open(ctx: BotContext, back: Back, mode: "auto" | "new") {
    deps.stats.count("handoff");
    await show(ctx, handoffScreen(ctx, deps, back), mode);
  }

  feature.command("lawyer", (ctx) => open(ctx, { to: "menu" }, "new"));
  buttons.on("handoff", (ctx, { back }) => open(ctx, back, "auto"));
  return feature;
}

/** The firm's details that are set, one line each, in the reader's language. */
export function firmLines(view: View, deps: ContentDeps, options: { brief?: boolean } = {}): { about: string[]; contacts: string[] } {
  const t = view.t;
  const firm = deps.content.firm;
  const about = firmAbout(t, view.lang, firm);
  // Brief (the urgent lane): the contacts alone; how to dial from abroad is on the lawyer screen.
  const abroad = firm.phone.startsWith("+1") && options.brief !== true ? [t("handoff.phoneAbroad")] : [];
  const contacts = [
    ...(firm.phone === "" ? [] : [t("handoff.phone", { phone: firm.phone }), ...abroad]),
    ...(firm.email === "" ? [] : [t("handoff.email", { email: firm.email })]),
    ...(firm.messenger.url === "" ? [] : [t("handoff.messenger", { label: firm.messenger.label, url: firm.messenger.url })]),
  ];
  return { about, contacts };
}

/** Whom the consultation is for: the checklist of what to prepare follows it. */
export type Audience = "self" | "relative";

/** What to prepare, by audience; an audience without its own list gets the reader's own. A relative prepares the other person's views, visa and record. */
const PREPARE: Partial<Record<Audience, string>> = { self: "handoff.prepare", relative: "handoff.prepareOther" };

/** A lawyer screen opened from a relative's route is for the person they asked about. */
function audienceOf(back: Back): Audience {
  return back.to === "route" && decodeAnswers(back.answers)?.who === "o" ? "relative" : "self";
}

export function prepareKey(audience: Audience): string {
  return PREPARE[audience] ?? PREPARE.self!;
}

/** How to book without a booking page: only the ways the firm can actually be reached. */
function howToBook(deps: ContentDeps): string | undefined {
  const firm = deps.content.firm;
  const call = firm.phone !== "";
  const write = firm.email !== "" || firm.messenger.url !== "";
  if (call && write) return "handoff.bookBy.callOrWrite";
  if (call) return "handoff.bookBy.call";
  if (write) return "handoff.bookBy.write";
  return undefined;
}

export interface HandoffOptions {
  lead?: string;
  audience?: Audience;
}

export function handoffScreen(view: View, deps: ContentDeps, back: Back, options: HandoffOptions | string = {}): Screen {
  const { lead, audience = audienceOf(back) } = typeof options === "string" ? { lead: options } : options;
  const t = view.t;
  const { about, contacts } = firmLines(view, deps);
  const booking = deps.settings.bookingUrl;
  const how = booking === undefined ? howToBook(deps) : "handoff.afterBooking";
  const html = [
    ...(lead === undefined ? [] : [lead]),
    t("handoff.title"),
    about.join("\n"),
    ...(contacts.length === 0 ? [] : [contacts.join("\n")]),
    t(prepareKey(audience)),
    [...(how === undefined ? [] : [t(how)]), t("common.disclaimer")].join("\n"),
  ].join("\n\n");
  const messenger = deps.content.firm.messenger;
  const here: Back = { to: "lawyer" };
  return {
    html,
    keyboard: [
      ...(booking === undefined ? [] : [[button.url(t("buttons.book"), booking)]]),
      ...(messenger.url === "" ? [] : [[button.url(`💬 ${messenger.label}`, messenger.url)]]),
      // Beside the firm: free legal help for those who cannot pay, and what to do if someone is held (where first: ICE's locator helps only in the US).
      [button.cb(t("buttons.freeHelp"), cb.freeHelp(here))],
      ...(back.to === "urgent" ? [] : [[button.cb(t("buttons.urgent"), cb.detainedWhere(here))]]),
      navRow(view, backTarget(back, deps)),
    ],
  };
}
