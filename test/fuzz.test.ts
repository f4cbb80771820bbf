import fc from "fast-check";
import type { Message } from "grammy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SimulatedUser } from "../tools/local-telegram/user.js";
import { startTestBot, type TestBot } from "./support/harness.js";

/**
 * Random updates and sequences through the real bot and the strict local Bot API. Whatever
 * arrives, in whatever order, no handler may fail and no call may be one Telegram would refuse.
 */

const COMMANDS = ["/start", "/help", "/topics", "/route", "/updates", "/lawyer", "/share", "/guide", "/privacy", "/forget", "/language", "/stats", "/start ru-bond", "/start en-border_in", "/start ru_sh", "/start zz-top"];
const KNOWN_DATA = ["m", "tl", "ts:case", "ts:help", "t:bond", "t:updates:m", "t:safety:r.mrn.-pna", "t:border:s.getting-there", "u", "u:r.mann-pna", "u:border:1", "u:detention:2:r.mann-pna", "lang", "lang:ru", "lang:en", "h", "h:bond", "h:r.oann-pya", "bk:m", "g", "gr", "g:who:m", "g:who:o", "g:loc:r", "g:visa:n", "g:res:y", "g:draft:ns", "g:b", "g:x", "R:mrn.-pna", "Rd:oann-pya", "Rd:oann-pya:2", "Rs:mu..snu.", "Rc:oann-pya", "us:border:1", "us:detention:2:r.mann-pna", "r.LBDA", "rs.LVQCFA", "sh", "og", "og:ru", "og:en", "pv", "fg", "fg:y", "fg:n"];
const SPECIAL = ["\u200b", "\u202e", "\ufeff", "🙂", "👨‍👩‍👧", "<", ">", "&", "\n", "я", "z", " ", "ё"];
const MEDIA: Partial<Message>[] = [
  { sticker: { file_id: "s", file_unique_id: "s", type: "regular", width: 1, height: 1, is_animated: false, is_video: false } },
  { photo: [{ file_id: "p", file_unique_id: "p", width: 1, height: 1 }] },
  { location: { latitude: 1, longitude: 2 } },
  { voice: { file_id: "v", file_unique_id: "v", duration: 1 } },
];

const text = fc.oneof(
  fc.constantFrom(...COMMANDS),
  fc.string({ maxLength: 80 }),
  fc.string({ unit: "grapheme", maxLength: 60 }),
  fc.string({ unit: fc.constantFrom(...SPECIAL), maxLength: 40 }),
  fc.integer({ min: 4000, max: 12_000 }).map((n) => "щ".repeat(n)),
);
const shortData = fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 }).filter((s) => Buffer.byteLength(s) <= 64);
const action = fc.oneof(
  { weight: 4, arbitrary: text.map((t) => ({ kind: "text" as const, t })) },
  { weight: 6, arbitrary: fc.nat(30).map((i) => ({ kind: "tap" as const, i })) },
  { weight: 3, arbitrary: fc.tuple(fc.nat(30), fc.integer({ min: 2, max: 4 })).map(([i, n]) => ({ kind: "taps" as const, i, n })) },
  { weight: 2, arbitrary: fc.array(fc.nat(30), { minLength: 2, maxLength: 5 }).map((is) => ({ kind: "burst" as const, is })) },
  { weight: 2, arbitrary: fc.oneof(fc.constantFrom(...KNOWN_DATA), shortData).map((d) => ({ kind: "data" as const, d })) },
  { weight: 1, arbitrary: fc.constantFrom(...MEDIA).map((m) => ({ kind: "media" as const, m })) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }).map((q) => ({ kind: "inline" as const, q })) },
  { weight: 1, arbitrary: fc.constant({ kind: "edit" as const }) },
  { weight: 1, arbitrary: fc.boolean().map((b) => ({ kind: "block" as const, b })) },
  { weight: 1, arbitrary: text.map((t) => ({ kind: "group" as const, t })) },
  { weight: 1, arbitrary: fc.constant({ kind: "channel" as const }) },
  { weight: 1, arbitrary: shortData.map((d) => ({ kind: "inlineButton" as const, d })) },
);
const step = fc.record({ who: fc.nat(3), action });

let tb: TestBot;
let users: SimulatedUser[];
beforeAll(async () => {
  tb = await startTestBot({ bookingUrl: "https://firm.example/book" });
  users = [tb.user({ language_code: "ru" }), tb.user({ language_code: "en" }), tb.user({ language_code: "uk" }), tb.user({ language_code: undefined })];
});
afterAll(() => tb.close());

type Action = typeof action extends fc.Arbitrary<infer A> ? A : never;

async function perform(user: SimulatedUser, a: Action): Promise<void> {
  switch (a.kind) {
    case "text":
      return user.send(a.t);
    case "tap": {
      const messages = user.botMessages().filter((m) => (m.reply_markup?.inline_keyboard.length ?? 0) > 0);
      const message = messages.at(-1 - (a.i % Math.max(1, Math.min(messages.length, 3))));
      const buttons = (message?.reply_markup?.inline_keyboard.flat() ?? []).filter((b) => "callback_data" in b);
      const button = buttons[a.i % Math.max(1, buttons.length)];
      if (button !== undefined && "callback_data" in button) return user.pressData(button.callback_data, message);
      return user.send("/start");
    }
    case "taps": {
      // A fast double (or triple) tap: every press sees the message as it was before the first.
      const message = user.botMessages().filter((m) => (m.reply_markup?.inline_keyboard.length ?? 0) > 0).at(-1);
      const buttons = (message?.reply_markup?.inline_keyboard.flat() ?? []).filter((b) => "callback_data" in b);
      const button = buttons[a.i % Math.max(1, buttons.length)];
      if (button !== undefined && "callback_data" in button) return user.tapRepeatedly(button.callback_data, message, a.n);
      return user.send("/help");
    }
    case "burst": {
      // Several different buttons pressed before the bot answers the first.
      const message = user.botMessages().filter((m) => (m.reply_markup?.inline_keyboard.length ?? 0) > 0).at(-1);
      const data = (message?.reply_markup?.inline_keyboard.flat() ?? []).flatMap((b) => ("callback_data" in b ? [b.callback_data] : []));
      if (data.length === 0) return user.send("/start");
      return user.pressQuickly(a.is.map((i) => data[i % data.length]!), message);
    }
    case "data":
      return user.pressData(a.d);
    case "media":
      return user.message(a.m);
    case "inline":
      await user.inline(a.q);
      return;
    case "edit":
      return user.edit(1, "edited");
    case "block":
      return user.setBlocked(a.b);
    case "group":
      return user.tg.push({ update_id: user.tg.nextUpdateId(), message: { message_id: 1, date: 1, chat: { id: -4242, type: "group", title: "G" }, from: user.user, text: a.t, ...(a.t.startsWith("/") ? { entities: [{ type: "bot_command", offset: 0, length: a.t.split(" ")[0]!.length }] } : {}) } } as never);
    case "channel":
      return user.tg.push({ update_id: user.tg.nextUpdateId(), channel_post: { message_id: 1, date: 1, chat: { id: -100777, type: "channel", title: "C" }, text: "/start" } } as never);
    case "inlineButton":
      return user.pressInlineMessageButton(a.d);
  }
}

describe("fuzz", () => {
  it("random update sequences: no unhandled error, no rejected call", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30 }), async (steps) => {
        for (const s of steps) await perform(users[s.who]!, s.action);
        for (const u of users) if (tb.tg.blocked.has(u.chatId)) await u.setBlocked(false);
        expect(tb.tg.rejected).toEqual([]);
        expect(tb.logs.entries().filter((e) => (e.level as number) >= 50)).toEqual([]);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 80), seed: Number(process.env.FUZZ_SEED ?? 20261128) },
    );
    expect(tb.tg.callCount).toBeGreaterThan(500);
    // And the bot still answers.
    const user = users[0]!;
    await user.send("/start");
    expect(user.lastBotMessage()!.text).toMatch(/^(Здравствуйте|Hello)\./);
  }, 120_000);
});
