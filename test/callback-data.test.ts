import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Action, type Back, CALLBACK_DATA_MAX_BYTES, cb, parseCallback } from "../src/bot/callback-data.js";
import { QUESTIONS } from "../src/bot/features/guided/answers.js";

/**
 * Callback data (bot/callback-data.ts), built and parsed in one place: every button the bot
 * makes parses back to what it means and fits Telegram's 64 bytes; anything else, forged or
 * outdated, parses to nothing and never throws.
 */

const id = fc.stringMatching(/^[a-z][a-z0-9-]{1,23}$/);
const answers = fc.tuple(...QUESTIONS.map((q) => fc.constantFrom(...q.answers, "-", "."))).map((cs) => cs.join(""));
const back: fc.Arbitrary<Back> = fc.oneof(
  fc.constant<Back>({ to: "menu" }),
  fc.constant<Back>({ to: "sections" }),
  fc.constant<Back>({ to: "updates" }),
  fc.constant<Back>({ to: "urgent" }),
  fc.constant<Back>({ to: "lawyer" }),
  id.map((s): Back => ({ to: "section", id: s })),
  id.map((s): Back => ({ to: "topic", id: s })),
  answers.map((a): Back => ({ to: "route", answers: a })),
);
const lang = fc.constantFrom("ru" as const, "en" as const);

/** Every kind of button, with the data the bot builds for it and what that data must mean. */
const buttons: fc.Arbitrary<{ data: string; action: Action }> = fc.oneof(
  fc.constant({ data: cb.menu, action: { kind: "menu" } as Action }),
  fc.constant({ data: cb.sections, action: { kind: "sections" } as Action }),
  id.map((s) => ({ data: cb.section(s), action: { kind: "section", id: s } as Action })),
  fc.tuple(id, back).map(([s, b]) => ({ data: cb.topic(s, b), action: { kind: "topic", id: s, back: b } as Action })),
  back.map((b) => ({ data: cb.updates(b), action: { kind: "updates", back: b } as Action })),
  fc.tuple(id, fc.integer({ min: 1, max: 99 }), back).map(([g, p, b]) => ({ data: cb.updatesPage(g, p, b), action: { kind: "updatesPage", group: g, page: p, back: b } as Action })),
  fc.tuple(id, fc.integer({ min: 1, max: 99 }), back).map(([g, p, b]) => ({ data: cb.updatesSources(g, p, b), action: { kind: "updatesSources", group: g, page: p, back: b } as Action })),
  back.map((b) => ({ data: cb.handoff(b), action: { kind: "handoff", back: b } as Action })),
  back.map((b) => ({ data: cb.urgent(b), action: { kind: "urgent", back: b } as Action })),
  back.map((b) => ({ data: cb.urgentSelf(b), action: { kind: "urgentSelf", back: b } as Action })),
  back.map((b) => ({ data: cb.freeHelp(b), action: { kind: "freeHelp", back: b } as Action })),
  back.map((b) => ({ data: cb.bondNow(b), action: { kind: "bondNow", back: b } as Action })),
  back.map((b) => ({ data: cb.detainedWhere(b), action: { kind: "detainedWhere", back: b } as Action })),
  back.map((b) => ({ data: cb.detainedWhereSelf(b), action: { kind: "detainedWhereSelf", back: b } as Action })),
  back.map((b) => ({ data: cb.detainedRussia(b), action: { kind: "detainedRussia", back: b } as Action })),
  back.map((b) => ({ data: cb.detainedAbroad(b), action: { kind: "detainedAbroad", back: b } as Action })),
  fc.boolean().map((o) => ({ data: cb.guidedStart(o), action: { kind: "guidedStart", forOther: o } as Action })),
  fc.constantFrom(...QUESTIONS).chain((q) => fc.constantFrom(...q.answers, "ns").map((a) => ({ data: cb.guidedAnswer(q.id, a), action: { kind: "guidedAnswer", question: q.id, answer: a } as Action }))),
  fc.constant({ data: cb.guidedBack, action: { kind: "guidedBack" } as Action }),
  fc.constant({ data: cb.guidedCancel, action: { kind: "guidedCancel" } as Action }),
  answers.map((a) => ({ data: cb.route(a), action: { kind: "route", answers: a } as Action })),
  fc.tuple(answers, fc.integer({ min: 1, max: 9 })).map(([a, p]) => ({ data: cb.routeDetails(a, p), action: { kind: "routeDetails", answers: a, page: p } as Action })),
  answers.map((a) => ({ data: cb.routeSummary(a), action: { kind: "routeSummary", answers: a } as Action })),
  answers.map((a) => ({ data: cb.routeCard(a), action: { kind: "routeCard", answers: a } as Action })),
  fc.constant({ data: cb.languagePicker, action: { kind: "languagePicker" } as Action }),
  lang.map((l) => ({ data: cb.language(l), action: { kind: "language", lang: l } as Action })),
  fc.constant({ data: cb.share, action: { kind: "share" } as Action }),
  fc.constant({ data: cb.guide(), action: { kind: "guide", lang: undefined, forRelative: false } as Action }),
  fc.tuple(lang, fc.boolean()).map(([l, r]) => ({ data: cb.guide(l, r), action: { kind: "guide", lang: l, forRelative: r } as Action })),
  fc.constant({ data: cb.privacy, action: { kind: "privacy" } as Action }),
  fc.constant({ data: cb.forgetAsk, action: { kind: "forgetAsk" } as Action }),
  fc.constant({ data: cb.forgetYes, action: { kind: "forgetYes" } as Action }),
  fc.constant({ data: cb.forgetNo, action: { kind: "forgetNo" } as Action }),
);

describe("callback data", () => {
  it("every button the bot builds parses back to what it means, and fits Telegram's 64 bytes", () => {
    fc.assert(
      fc.property(buttons, ({ data, action }) => {
        expect(Buffer.byteLength(data)).toBeLessThanOrEqual(CALLBACK_DATA_MAX_BYTES);
        expect(parseCallback(data)).toEqual(action);
      }),
      { numRuns: 2_000 },
    );
  });

  it("anything else parses to nothing and never throws: forged, truncated, extended, of another bot", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (data) => {
        const action = parseCallback(data);
        // Whatever parses must be something the bot itself would have built.
        if (action !== undefined) expect(Buffer.byteLength(data)).toBeLessThanOrEqual(CALLBACK_DATA_MAX_BYTES);
      }),
      { numRuns: 5_000 },
    );
    for (const data of ["", ":", "t", "t:", "t:Bond", "t:bond:x:y", "ts:", "u:g:0", "u:g:100", "h:m:m", "g:who", "g:who:zz", "R:", "R:xyz", "lang:de", "og:", "fg:x", "m:", " m", "tl ", "t:bond:r.", "t:bond:s."]) {
      expect(parseCallback(data), JSON.stringify(data)).toBeUndefined();
    }
  });

  it("whatever parses, even data changed by a character, means a button the bot can build: rebuilt, it means the same", () => {
    fc.assert(
      fc.property(buttons, fc.nat(), fc.string({ minLength: 1, maxLength: 1 }), ({ data }, at, c) => {
        const i = at % data.length;
        const action = parseCallback(data.slice(0, i) + c + data.slice(i + 1));
        if (action === undefined) return;
        const rebuilt = build(action);
        expect(Buffer.byteLength(rebuilt)).toBeLessThanOrEqual(CALLBACK_DATA_MAX_BYTES);
        expect(parseCallback(rebuilt)).toEqual(action);
      }),
      { numRuns: 3_000 },
    );
  });
});

/** The data the bot builds for an action. */
function build(a: Action): string {
  switch (a.kind) {
    case "menu":
      return cb.menu;
    case "sections":
      return cb.sections;
    case "section":
      return cb.section(a.id);
    case "topic":
      return cb.topic(a.id, a.back);
    case "updates":
      return cb.updates(a.back);
    case "updatesPage":
      return cb.updatesPage(a.group, a.page, a.back);
    case "updatesSources":
      return cb.updatesSources(a.group, a.page, a.back);
    case "handoff":
      return cb.handoff(a.back);
    case "urgent":
      return cb.urgent(a.back);
    case "urgentSelf":
      return cb.urgentSelf(a.back);
    case "freeHelp":
      return cb.freeHelp(a.back);
    case "bondNow":
      return cb.bondNow(a.back);
    case "detainedWhere":
      return cb.detainedWhere(a.back);
    case "detainedWhereSelf":
      return cb.detainedWhereSelf(a.back);
    case "detainedRussia":
      return cb.detainedRussia(a.back);
    case "detainedAbroad":
      return cb.detainedAbroad(a.back);
    case "guidedStart":
      return cb.guidedStart(a.forOther);
    case "guidedAnswer":
      return cb.guidedAnswer(a.question, a.answer);
    case "guidedBack":
      return cb.guidedBack;
    case "guidedCancel":
      return cb.guidedCancel;
    case "route":
      return cb.route(a.answers);
    case "routeDetails":
      return cb.routeDetails(a.answers, a.page);
    case "routeSummary":
      return cb.routeSummary(a.answers);
    case "routeCard":
      return cb.routeCard(a.answers);
    case "languagePicker":
      return cb.languagePicker;
    case "language":
      return cb.language(a.lang);
    case "share":
      return cb.share;
    case "guide":
      return a.lang === undefined ? cb.guide() : cb.guide(a.lang, a.forRelative);
    case "privacy":
      return cb.privacy;
    case "forgetAsk":
      return cb.forgetAsk;
    case "forgetYes":
      return cb.forgetYes;
    case "forgetNo":
      return cb.forgetNo;
  }
}
