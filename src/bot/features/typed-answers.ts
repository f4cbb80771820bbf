import { footer, noteLine, notesBlock, sourceLine, sourcesText } from "../../content/render.js";
import { cb } from "../callback-data.js";
import type { ContentDeps } from "../deps.js";
import { button, type Screen } from "../screen.js";
import { renderContext, type View } from "../screens.js";

/** The update-list item that states the one-year filing rule (long-standing law). */
export const ONE_YEAR = "one-year";
/** The topic whose card is the warning for someone at the border. */
const BORDER = "border";

/**
 * Direct answers to typed messages that ask one thing the content answers in one place: the
 * one-year filing deadline («прошёл почти год, как я в США», "one year deadline"), and someone
 * writing from the US border («я на границе с Мексикой с женой и детьми»), who gets the border
 * warning with its dated notes before anything else. Each then offers the route and the lawyer.
 */

/** The one-year rule in full, labelled as long-standing law with its sources, the attorney first if the year is running out, and the route. */
export function deadlineScreen(view: View, deps: ContentDeps): Screen {
  const t = view.t;
  const r = renderContext(view, deps);
  const rule = deps.content.updates.items.find((item) => item.id === ONE_YEAR);
  const ruleText = rule === undefined ? [] : [`${noteLine(r, rule, "text")}\n<i>${t("common.sources")}: ${sourcesText(r, rule)}</i>`];
  return {
    html: [t("answer.deadline.title"), ...ruleText, `${t("answer.deadline.call")}\n${t("answer.deadline.route")}`, footer(r)].join("\n\n"),
    keyboard: [
      [button.cb(t("buttons.lawyer"), cb.handoff())],
      [button.cb(t("buttons.guided"), cb.guidedStart())],
      [button.cb(t("topics.visa-inside.button"), cb.topic("visa-inside"))],
      [button.cb(t("buttons.home"), cb.menu)],
    ],
  };
}

/** Someone at the US border now: the border card (what changed, dated), the attorney before any step, the route; the urgent lane if someone is held. */
export function atBorderScreen(view: View, deps: ContentDeps): Screen {
  const t = view.t;
  const r = renderContext(view, deps);
  const border = deps.content.topic(BORDER);
  // The border topic's card (title, summary, every dated note, source), as inline mode posts it, then the route.
  const card = border === undefined ? [] : [`<b>${t(`topics.${BORDER}.title`)}</b>\n${t(`topics.${BORDER}.description`)}`, notesBlock(r, deps.content.notesFor(BORDER)), sourceLine(r, border)];
  return {
    html: [t("answer.atBorder.lead"), ...card, t("answer.atBorder.route"), footer(r)].filter((part) => part !== "").join("\n\n"),
    keyboard: [
      [button.cb(t("buttons.guided"), cb.guidedStart())],
      [button.cb(t("buttons.lawyer"), cb.handoff())],
      [button.cb(t("buttons.related", { title: t(`topics.${BORDER}.button`) }), cb.topic(BORDER))],
      [button.cb(t("buttons.urgent"), cb.urgent())],
      [button.cb(t("buttons.home"), cb.menu)],
    ],
  };
}
