import { type Answers, forOther } from "./answers.js";

/**
 * The steps of a personal route, in order, from the answers. Each step is a key of
 * content/routes.json (which topic explains it and which dated notes justify it) with its text in
 * the locales. The order is what a careful attorney would say in late 2026: first what must not
 * be done before talking to one, then the case, and always the consultation last.
 */
export function routeSteps(a: Answers): string[] {
  const other = forOther(a);
  const steps: string[] = [];
  if (other) steps.push("send", "talk-safely");

  const where = a.loc;
  const outside = where !== "u";
  // Once a summons is issued, leaving is what the attorney must be asked about first.
  if (where === "r") steps.push(a.draft === "s" ? "summons" : "leave");
  else if (where === undefined || where === "ns") steps.push("leave-if");

  if (where === "b") steps.push("at-border");
  else if (outside) {
    if (a.visa === "y") steps.push("visa-fly");
    else {
      // Without a visa, or unsure: never the border as a plan.
      steps.push("no-border");
      steps.push(a.visa === "n" ? "visa-options" : "visa-check");
    }
  } else {
    steps.push("us-file", "us-hearings");
  }

  if (!other && (a.draft === "s" || a.draft === "e")) steps.push("qualify");
  steps.push(a.views === "n" ? "case-reasons" : "case");
  if (a.rec === "y" || a.rec === "u") steps.push("record");
  if (!other && (a.group === "f" || a.group === "o")) steps.push("group");
  if (other) steps.push("if-held");
  steps.push("fraud", "consult");
  return steps;
}
