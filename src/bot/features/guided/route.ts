import { type Answers, applies, forOther } from "./answers.js";

/**
 * The steps of a personal route, in order, from the answers. Each step is a key of
 * content/routes.json (which topic explains it and which dated notes justify it) with its text in
 * the locales: route.steps.<key> written to the reader, route.stepsOther.<key> about the person a
 * relative asks for. The order is what a careful attorney would say in late 2026: first what must
 * not be done before talking to one, then the case, and always the consultation last. Every answer
 * asked for changes some route; steps that depend on where the person is come in a variant for
 * each place.
 */
export function routeSteps(a: Answers): string[] {
  const other = forOther(a);
  const where = a.loc;
  const known = where === "r" || where === "a" || where === "b" || where === "u";
  const steps: string[] = [];
  // What a relative does first: reach the person by a channel that works where they are, and talk safely.
  if (other) steps.push(where === "r" || !known ? "send-russia" : where === "u" ? "send" : where === "b" ? "send-border" : "send-abroad");

  // Once a summons is issued, leaving is what the attorney must be asked about first.
  if (where === "r") steps.push(a.draft === "s" ? "summons" : "leave");
  else if (!known) steps.push("leave-if");

  // After a summons leaving may be banned, so every visa step is for the case he can leave lawfully (its variant says so).
  const summoned = where === "r" && a.draft === "s";

  // At the border, a valid visa changes what to ask the attorney before entering; never crossing illegally holds for all.
  if (where === "b") steps.push(a.visa === "y" ? "at-border-visa" : "at-border");
  else if (where === "u") steps.push("us-file", "us-hearings");
  else if (a.visa === "y") steps.push(summoned ? "visa-fly-summons" : "visa-fly");
  else {
    // Without a visa, or unsure: never the border as a plan. Where a visa interview can be depends on legal residence.
    steps.push("no-border");
    const residence = where === "a" && applies("res", a) && a.res === "y";
    if (a.visa === "n") steps.push(residence ? "visa-options-res" : summoned ? "visa-options-summons" : "visa-options");
    else steps.push(residence ? "visa-check-res" : summoned ? "visa-check-summons" : "visa-check");
  }

  if (a.draft === "s" || a.draft === "e") steps.push("qualify");
  // "Lean on your views" only for someone who said they have them; to anyone else it could read as "claim some".
  steps.push(a.views === "p" || a.views === "v" ? "case" : "case-reasons");
  if (a.rec === "y" || a.rec === "u") steps.push("record");
  if (applies("group", a) && a.group === "f") steps.push("group-family");
  else if (applies("group", a) && a.group === "o") steps.push("group");
  // The chat's messages hold the answers and this route: cleared before leaving Russia, before any border from a third country, and
  // at once by someone already at the US border. A relative's own first step says it for the person.
  if (!other && where !== "u") steps.push(where === "r" ? "phone-russia" : where === "b" ? "phone-now" : "phone");
  if (other && where !== "r") steps.push(where === "b" ? "if-held-border" : where === "u" ? "if-held-us" : "if-held");
  steps.push("fraud", "consult");
  return steps;
}

/** Steps a relative takes for themselves, not for the person: a summary for the lawyer and the card for the person leave them out. */
export function isOwnStep(key: string): boolean {
  return key.startsWith("send");
}
