import { footer, updateNotes } from "../../../content/render.js";
import { parseTelegramHtml } from "../../../telegram/html.js";
import { cb } from "../../callback-data.js";
import type { ContentDeps } from "../../deps.js";
import { button, cachedScreen, pairs, type Screen } from "../../screen.js";
import { renderContext, type View } from "../../screens.js";
import type { Answers } from "./questions.js";

/**
 * A personal route: the ordered steps that apply to someone's answers. Each step is one
 * letter, so a whole route fits in callback data (r.<route>) and can be shown again, or
 * summarised, without keeping the answers anywhere.
 */
export const STEPS = {
  L: { key: "leave", topic: "leave-russia" },
  I: { key: "inside", topic: "visa-inside" },
  V: { key: "visa", topic: "visa-inside" },
  B: { key: "border", topic: "border" },
  D: { key: "detention", topic: "detention" },
  P: { key: "sponsors", topic: "sponsors" },
  N: { key: "bond", topic: "bond" },
  R: { key: "record", topic: "suspicion" },
  G: { key: "group", topic: "suspicion" },
  Q: { key: "draft", topic: "draft-not-enough" },
  W: { key: "qualify", topic: "who-qualifies" },
  C: { key: "views", topic: "political-case" },
  E: { key: "reasons", topic: "political-case" },
  F: { key: "fraud", topic: "fraud" },
  A: { key: "attorney", topic: "attorney" },
} as const;

export type StepLetter = keyof typeof STEPS;

export function buildRoute(a: Answers): string {
  const steps: StepLetter[] = [];
  if (a.loc === "ru" || a.loc === "ns" || a.loc === undefined) steps.push("L");
  if (a.loc === "us") steps.push("I");
  else if (a.visa === "y") steps.push("V");
  else if (a.visa === "n") steps.push("B");
  else steps.push("V", "B");
  const border = steps.includes("B");
  if (border) steps.push("D", "P", "N");
  if (a.rec === "y" || a.rec === "u") steps.push("R");
  if (border && (a.group === "f" || a.group === "o")) steps.push("G");
  steps.push("Q");
  if (a.draft === "s" || a.draft === "e") steps.push("W");
  steps.push(a.views === "n" ? "E" : "C");
  steps.push("F", "A");
  return steps.join("");
}

export function parseRoute(route: string): StepLetter[] | undefined {
  const letters = [...route];
  return letters.length > 0 && letters.length <= 20 && letters.every((l) => l in STEPS) ? (letters as StepLetter[]) : undefined;
}

export const routeScreen = cachedScreen(buildRouteScreen, (route: string) => route);

function buildRouteScreen(view: View, deps: ContentDeps, route: string): Screen {
  const steps = parseRoute(route) ?? [];
  const r = renderContext(view, deps);
  const shownNotes = new Set<string>();
  const lines = steps.map((letter, i) => {
    const step = STEPS[letter];
    const fresh = deps.content.updatesFor(step.topic).filter((u) => !shownNotes.has(u.id));
    for (const u of fresh) shownNotes.add(u.id);
    const line = `${i + 1}. ${view.t(`route.steps.${step.key}`)}`;
    if (fresh.length === 0) return line;
    return `${line}\n${updateNotes(r, fresh, "route.warning")}`;
  });
  const html = [view.t("route.title"), lines.join("\n\n"), view.t("route.footer", { disclaimer: view.t("common.disclaimer") }), footer(r)].join("\n\n");

  const topics = [...new Set(steps.map((l) => STEPS[l].topic))];
  const topicButtons = topics.map((topic) => button.cb(view.t(`topics.${topic}.button`), cb.topic(topic, { to: "route", route })));
  // Where the route carries dated notes, it also leads to the full list they come from.
  const updates = shownNotes.size > 0 ? [[button.cb(view.t("buttons.updates"), cb.topic("updates", { to: "route", route }))]] : [];
  return {
    html,
    keyboard: [
      ...pairs(topicButtons),
      ...updates,
      [button.cb(view.t("buttons.lawyer"), cb.handoff({ to: "route", route }))],
      [button.cb(view.t("buttons.summary"), cb.routeSummary(route))],
      [button.cb(view.t("buttons.home"), cb.menu)],
    ],
  };
}

/** The route as plain text, for the user to forward or copy to a lawyer. */
export function routeSummary(view: View, deps: ContentDeps, route: string): string {
  const steps = parseRoute(route) ?? [];
  const plain = (html: string) => {
    const parsed = parseTelegramHtml(html);
    return parsed.ok ? parsed.text : html;
  };
  return [
    view.t("route.summary.title"),
    view.t("route.summary.intro"),
    steps.map((l, i) => `${i + 1}. ${plain(view.t(`route.steps.${STEPS[l].key}`))}`).join("\n"),
    view.t("route.summary.outro"),
    `📞 ${deps.content.firm.phone}`,
    view.t("common.signature", { username: view.me.username }),
  ].join("\n\n");
}
