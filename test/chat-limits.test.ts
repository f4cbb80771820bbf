import type { MiddlewareFn } from "grammy";
import { describe, expect, it } from "vitest";
import type { BotContext } from "../src/bot/context.js";
import { Abandoned, chatQueue, memoryRateCounter, type RateCounter, rateLimit } from "../src/bot/middleware/chat-limits.js";

/**
 * The chat's queue and rate, as middleware on fake contexts (as grammY's own tests do): the order
 * updates are handled in, what is dropped, and that every dropped press is answered once.
 */

interface FakeCtx {
  ctx: BotContext;
  calls: { method: string; text?: string }[];
}

let nextId = 1;
function fake(chatId: number, kind: "message" | "press"): FakeCtx {
  const calls: FakeCtx["calls"] = [];
  const id = nextId++;
  const ctx = {
    update: { update_id: id },
    chat: { id: chatId, type: "private" },
    from: { id: chatId },
    anonKey: `key-${chatId}`,
    ...(kind === "message" ? { message: { message_id: id, text: "/help" } } : { callbackQuery: { id: `q${id}`, data: "m" } }),
    t: (key: string) => `<${key}>`,
    records: undefined,
    answerCallbackQuery: async (other?: { text?: string }) => {
      calls.push({ method: "answerCallbackQuery", ...(other?.text === undefined ? {} : { text: other.text }) });
      return true;
    },
    reply: async (text: string) => {
      calls.push({ method: "sendMessage", text });
      return {};
    },
  } as unknown as BotContext;
  return { ctx, calls };
}

const tick = () => new Promise((r) => setImmediate(r));

/** A gate the test opens: the handler of an update waits on it. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

function compose(...mws: MiddlewareFn<BotContext>[]): (ctx: BotContext, last: () => Promise<void>) => Promise<void> {
  return (ctx, last) => {
    const at = async (i: number): Promise<void> => void (await (i === mws.length ? last() : mws[i]!(ctx, () => at(i + 1))));
    return at(0);
  };
}

const anonymize = (id: number) => `key-${id}`;

describe("chat queue", () => {
  it("handles one chat's updates in arrival order even when counting the rate takes a random time, and chats in parallel", async () => {
    // A counter like PostgreSQL's: a round trip of varying length.
    const slow = memoryRateCounter(Date.now);
    const counter: RateCounter = { hit: async (key, records) => (await new Promise((r) => setTimeout(r, Math.random() * 15)), slow.hit(key, records)) };
    const run = compose(chatQueue({ queue: 8, pressQueue: 1, anonymize }), rateLimit({ counter, perMinute: 100, anonymize }));
    const handled: string[] = [];
    const all: Promise<void>[] = [];
    for (let round = 0; round < 5; round++) {
      for (const chat of [1, 2, 3]) {
        const label = `${chat}:${round}`;
        all.push(run(fake(chat, "message").ctx, async () => void handled.push(label)));
      }
    }
    await Promise.all(all);
    for (const chat of [1, 2, 3]) expect(handled.filter((h) => h.startsWith(`${chat}:`))).toEqual([0, 1, 2, 3, 4].map((r) => `${chat}:${r}`));
  });

  it("joins the queue synchronously: an update handed over after another of the same chat never overtakes it", async () => {
    const run = chatQueue({ queue: 8, pressQueue: 1, anonymize });
    const order: number[] = [];
    const first = gate();
    const a = run(fake(7, "message").ctx, async () => {
      await first.opened;
      order.push(1);
    });
    const b = run(fake(7, "message").ctx, async () => void order.push(2));
    await tick();
    expect(order).toEqual([]);
    first.open();
    await Promise.all([a, b]);
    expect(order).toEqual([1, 2]);
  });

  it("a chat keeps one press waiting: the others are answered at once, once each, with no text, and not handled", async () => {
    const drops: string[] = [];
    const run = chatQueue({ queue: 8, pressQueue: 1, anonymize, onDrop: (r) => drops.push(r) });
    const busy = gate();
    const handled: number[] = [];
    const presses = Array.from({ length: 30 }, () => fake(9, "press"));
    const all = presses.map((p, i) =>
      run(p.ctx, async () => {
        if (i === 0) await busy.opened;
        handled.push(i);
      }),
    );
    await tick();
    // The first is being handled, the second waits; 28 were answered and dropped.
    expect(drops).toHaveLength(28);
    expect(presses.slice(2).map((p) => p.calls)).toEqual(Array.from({ length: 28 }, () => [{ method: "answerCallbackQuery" }]));
    busy.open();
    await Promise.all(all);
    expect(handled).toEqual([0, 1]);
    expect(presses.slice(0, 2).map((p) => p.calls)).toEqual([[], []]);
  });

  it("a chat keeps eight updates waiting; further messages are dropped without a Bot API call", async () => {
    const run = chatQueue({ queue: 8, pressQueue: 1, anonymize });
    const busy = gate();
    const handled: number[] = [];
    const messages = Array.from({ length: 12 }, () => fake(11, "message"));
    const all = messages.map((m, i) =>
      run(m.ctx, async () => {
        if (i === 0) await busy.opened;
        handled.push(i);
      }),
    );
    await tick();
    busy.open();
    await Promise.all(all);
    expect(handled).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(messages.flatMap((m) => m.calls)).toEqual([]);
  });

  it("at shutdown, updates still waiting their turn give up unhandled; the one running finishes", async () => {
    const stopping = new AbortController();
    const run = chatQueue({ queue: 8, pressQueue: 1, anonymize, stopping: stopping.signal });
    const busy = gate();
    const handled: number[] = [];
    const a = Promise.resolve(
      run(fake(13, "message").ctx, async () => {
        await busy.opened;
        handled.push(1);
      }),
    );
    const b = Promise.resolve(run(fake(13, "message").ctx, async () => void handled.push(2))).then(
      () => "handled",
      (error: unknown) => error,
    );
    await tick();
    stopping.abort();
    busy.open();
    await a;
    expect(await b).toBeInstanceOf(Abandoned);
    expect(handled).toEqual([1]);
  });
});

describe("chat rate", () => {
  it("past the limit: a message gets one notice, then silence; every press is answered 'a little fast'; nothing is handled", async () => {
    const drops: string[] = [];
    const run = rateLimit({ counter: memoryRateCounter(() => 0), perMinute: 3, anonymize, onDrop: (r) => drops.push(r) });
    const handled: number[] = [];
    const messages = Array.from({ length: 6 }, () => fake(21, "message"));
    for (const [i, m] of messages.entries()) await run(m.ctx, async () => void handled.push(i));
    expect(handled).toEqual([0, 1, 2]);
    expect(messages.map((m) => m.calls)).toEqual([[], [], [], [{ method: "sendMessage", text: "<unknown.rateLimited>" }], [], []]);
    const presses = Array.from({ length: 3 }, () => fake(21, "press"));
    for (const p of presses) await run(p.ctx, async () => void handled.push(-1));
    expect(presses.map((p) => p.calls)).toEqual(presses.map(() => [{ method: "answerCallbackQuery", text: "<unknown.rateLimited>" }]));
    expect(handled).toEqual([0, 1, 2]);
    expect(drops).toEqual(["rate", "rate", "rate", "rate", "rate", "rate"]);
  });

  it("a failed answer to a dropped press is reported, not thrown", async () => {
    const failures: unknown[] = [];
    const run = rateLimit({ counter: memoryRateCounter(() => 0), perMinute: 0, anonymize, onAnswerFailed: (e) => failures.push(e) });
    const press = fake(23, "press");
    (press.ctx as unknown as { answerCallbackQuery: () => Promise<never> }).answerCallbackQuery = () => Promise.reject(new Error("403"));
    await run(press.ctx, async () => undefined);
    expect(failures).toHaveLength(1);
  });
});
