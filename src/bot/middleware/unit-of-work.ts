import type { MiddlewareFn } from "grammy";
import { DUPLICATE, type Storage } from "../../storage/storage.js";
import type { BotContext, SessionData } from "../context.js";

export interface UnitOfWorkOptions {
  /**
   * The update's time budget, from the moment its unit of work holds a connection to the end of
   * its handlers. Every Bot API call made for it, and every wait between a call's tries, ends
   * when it runs out; what the handlers did by then is committed. It must stay below the
   * database's limit for an idle transaction (60 s, engine.ts) and below the webhook's answer
   * budget (main.ts).
   */
  budgetMs: number;
  /** Shutdown's last step: what is still running is cut short, so that it commits in time. */
  cut?: AbortSignal;
  /** Shutdown's first step: an update still waiting for a database connection gives up. */
  stopping?: AbortSignal;
  onDuplicate?: () => void;
  needsConversation?: (ctx: BotContext) => boolean;
}

/**
 * Handles the update inside the storage's unit of work: its private chat's records are read, the
 * rest of the bot runs, and what changed is committed together with the mark that the update was
 * handled, before `handleUpdate` resolves. An update that was handled already (delivered twice)
 * is skipped. A failed commit rejects, so the update does not count as handled: polling does
 * not confirm it and the webhook does not answer 200, and Telegram delivers it again.
 */
export function unitOfWork(storage: Storage, options: UnitOfWorkOptions): MiddlewareFn<BotContext> {
  const { budgetMs, cut, stopping, onDuplicate, needsConversation } = options;
  /** The budgets of the updates running now: shutdown cuts them all with one listener. */
  const running = new Set<AbortController>();
  cut?.addEventListener("abort", () => {
    for (const c of running) c.abort(new DOMException("the bot is stopping", "AbortError"));
  });
  return async (ctx, next) => {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const begun = () => {
      timer = setTimeout(() => controller.abort(new DOMException(`the update's budget of ${budgetMs} ms ran out`, "TimeoutError")), budgetMs);
      ctx.scope.signal = controller.signal;
      running.add(controller);
      if (cut?.aborted === true) controller.abort(new DOMException("the bot is stopping", "AbortError"));
    };
    const work = async (records: BotContext["records"]) => {
      ctx.records = records;
      await next();
    };
    try {
      const result = await storage.handle(ctx.update.update_id, ctx.anonKey, work, { conversation: needsConversation?.(ctx) === true, begun, ...(stopping === undefined ? {} : { signal: stopping }) });
      if (result === DUPLICATE) {
        ctx.duplicate = true;
        onDuplicate?.();
      }
    } finally {
      clearTimeout(timer);
      running.delete(controller);
    }
  };
}

/** The chat's session, from and back to its records; an update that forgot the chat writes nothing. */
export function chatSession(): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const records = ctx.records;
    if (records === undefined) return next();
    ctx.session = records.session<SessionData>() ?? {};
    await next();
    records.setSession(ctx.forgotten === true ? undefined : ctx.session);
  };
}
