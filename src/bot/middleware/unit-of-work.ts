import type { MiddlewareFn } from "grammy";
import { DUPLICATE, type Storage } from "../../storage/storage.js";
import type { BotContext, SessionData } from "../context.js";

/**
 * Handles the update inside the storage's unit of work: its private chat's records are read, the
 * rest of the bot runs, and what changed is committed together with the mark that the update was
 * handled, before `handleUpdate` resolves. An update that was handled already (delivered twice)
 * is skipped. A failed commit rejects, so the update does not count as handled: polling does
 * not confirm it and the webhook does not answer 200, and Telegram delivers it again.
 */
export function unitOfWork(storage: Storage, options: { onDuplicate?: () => void; needsConversation?: (ctx: BotContext) => boolean } = {}): MiddlewareFn<BotContext> {
  const { onDuplicate, needsConversation } = options;
  return async (ctx, next) => {
    const work = async (records: BotContext["records"]) => {
      ctx.records = records;
      await next();
    };
    const result = await storage.handle(ctx.update.update_id, ctx.anonKey, work, { conversation: needsConversation?.(ctx) === true });
    if (result === DUPLICATE) {
      ctx.duplicate = true;
      onDuplicate?.();
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
