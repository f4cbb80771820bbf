import type { LocalTelegram } from "../tools/local-telegram/emulator.js";
import { SimulatedUser } from "../tools/local-telegram/user.js";
import { type Answers, applies } from "../src/bot/features/guided/answers.js";

/**
 * The benchmark's realistic mix, as a script per user: a start, menu navigation, topic views,
 * a whole guided conversation, inline searches, typed text and the handoff. The script is fixed in advance
 * (seeded), so the full bot and the bare baseline receive exactly the same updates.
 */

export type Step =
  | { kind: "text"; text: string }
  | { kind: "press"; data: string }
  | { kind: "inline"; query: string };

/** A small, fast, seeded PRNG (mulberry32): the same workload on every run. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOPICS = ["no-program", "draft-not-enough", "political-case", "who-qualifies", "leave-russia", "visa-inside", "border", "detention", "suspicion", "bond", "hearing", "sponsors", "denied", "attorney", "fraud", "relatives", "updates", "safety"];
const RELATED: Record<string, string> = { border: "detention", detention: "bond", "visa-inside": "leave-russia", bond: "hearing", "political-case": "who-qualifies", attorney: "fraud" };
const QUERIES = ["залог", "bond", "povestka", "детеншн сколько держат", "how long detention", "адвокат", "cbp one", "visa", "что изменилось", "fraud", "", "граница мексика", "political asylum"];
const TYPED = ["спасибо", "привет, мне нужна помощь", "а можно позвонить вам?", "сколько стоит адвокат", "what about bond?", "thanks", "повестка пришла, что делать", "hello"];
/** The guided questions and their answers, as in src/bot/features/guided/answers.ts. */
const ANSWERS = [
  ["loc", ["r", "a", "u", "b", "ns"]],
  ["visa", ["y", "n", "u", "ns"]],
  ["res", ["y", "n", "u", "ns"]],
  ["draft", ["s", "e", "n", "o", "ns"]],
  ["views", ["p", "v", "n", "ns"]],
  ["rec", ["n", "y", "u", "ns"]],
  ["group", ["a", "f", "o", "ns"]],
] as const;

/** One user's session, about `length` updates long. */
export function userScript(rand: () => number, length: number): Step[] {
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
  const steps: Step[] = [{ kind: "text", text: "/start" }, { kind: "press", data: "tl" }];
  while (steps.length < length) {
    const r = rand();
    if (r < 0.45) {
      const topic = pick(TOPICS);
      steps.push({ kind: "press", data: `t:${topic}` });
      const related = RELATED[topic];
      if (related !== undefined && rand() < 0.5) steps.push({ kind: "press", data: `t:${related}:${topic}` }, { kind: "press", data: `t:${topic}` });
      steps.push({ kind: "press", data: "tl" });
    } else if (r < 0.65) {
      // "My situation" or "For someone close to me": the button answers "who is this for".
      steps.push({ kind: "press", data: rand() < 0.75 ? "g" : "gr" });
      const answers: Answers = {};
      for (const [q, options] of ANSWERS) {
        // The bot skips questions that cannot matter; the script follows the same rule.
        if (!applies(q, answers)) continue;
        answers[q] = pick(options);
        steps.push({ kind: "press", data: `g:${q}:${answers[q]}` });
      }
      steps.push({ kind: "press", data: "m" });
    } else if (r < 0.8) {
      steps.push({ kind: "inline", query: pick(QUERIES) });
    } else if (r < 0.87) {
      steps.push({ kind: "text", text: pick(TYPED) });
    } else if (r < 0.93) {
      steps.push({ kind: "press", data: "h" }, { kind: "press", data: "m" });
    } else {
      steps.push({ kind: "text", text: pick(["/help", "/updates", "/lawyer", "/start"]) });
    }
  }
  return steps.slice(0, length);
}

export interface Workload {
  users: { profile: { id: number; language_code: string }; steps: Step[] }[];
  total: number;
}

export function buildWorkload(users: number, updates: number, seed = 20261128): Workload {
  const rand = random(seed);
  const per = Math.floor(updates / users);
  const list = Array.from({ length: users }, (_, i) => ({
    profile: { id: 10_000_000 + i, language_code: rand() < 0.7 ? "ru" : "en" },
    steps: userScript(rand, per + (i < updates - per * users ? 1 : 0)),
  }));
  return { users: list, total: list.reduce((n, u) => n + u.steps.length, 0) };
}

/** Plays one step: a button press goes to the user's newest bot message, as in a real chat. */
export function play(user: SimulatedUser, step: Step): Promise<unknown> {
  switch (step.kind) {
    case "text":
      return user.send(step.text);
    case "press": {
      const messages = user.tg.chats.get(user.chatId);
      let last;
      if (messages !== undefined) for (const m of messages.values()) if (m.fromBot && m.text !== undefined) last = m;
      return user.pressData(step.data, last);
    }
    case "inline":
      return user.inline(step.query);
  }
}

export function simulatedUsers(tg: LocalTelegram, workload: Workload): SimulatedUser[] {
  return workload.users.map((u) => new SimulatedUser(tg, { ...u.profile, first_name: "Bench" }));
}
