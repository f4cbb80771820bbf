import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CONTENT_DIR } from "../../src/app.js";
import type { SimulatedUser } from "../../tools/local-telegram/user.js";
import type { Texts } from "./texts.js";

/** Every step a route can have, as routes.json lists them. */
const STEP_KEYS = Object.keys((JSON.parse(readFileSync(join(CONTENT_DIR, "routes.json"), "utf8")) as { steps: Record<string, unknown> }).steps);

/** The step keys a route screen shows, read back from its numbered lines. */
export function steps(text: string, t: Texts, other = false): string[] {
  const lead = (key: string) => {
    const own = t(`route.stepsOther.${key}.lead`);
    return other && own !== `route.stepsOther.${key}.lead` ? own : t(`route.steps.${key}.lead`);
  };
  return [...text.matchAll(/^\d+\. (.+)$/gm)].map((m) => STEP_KEYS.find((k) => lead(k) === m[1]) ?? `?${m[1]}`);
}

/** Answers the guided questions by their answer keys, e.g. ["who.m", "loc.a"]; "skip" is "prefer not to say". */
export async function answer(user: SimulatedUser, t: Texts, answers: string[]): Promise<void> {
  for (const a of answers) await user.press(a === "skip" ? t("guided.skip") : t(`guided.questions.${a.split(".")[0]}.answers.${a.split(".")[1]}`));
}
