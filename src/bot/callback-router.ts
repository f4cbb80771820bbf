import type { MiddlewareFn } from "grammy";
import { type Action, type ActionKind, parseCallback } from "./callback-data.js";
import type { BotContext } from "./context.js";

type Handler<K extends ActionKind> = (ctx: BotContext, action: Extract<Action, { kind: K }>) => Promise<unknown> | unknown;

/**
 * Button presses, routed through one table: the data is parsed once (callback-data.ts) and the
 * handler for its kind runs. Features register their handlers here rather than each installing
 * filters that every press would walk through.
 */
export class CallbackRouter {
  private readonly handlers = new Map<ActionKind, Handler<never>>();

  on<K extends ActionKind>(kind: K, handler: Handler<K>): this {
    if (this.handlers.has(kind)) throw new Error(`two handlers for buttons of kind ${kind}`);
    this.handlers.set(kind, handler as unknown as Handler<never>);
    return this;
  }

  /** Handles presses it knows; everything else (forged, outdated, unknown kinds) goes on. */
  middleware(): MiddlewareFn<BotContext> {
    return async (ctx, next) => {
      const data = ctx.callbackQuery?.data;
      const action = data === undefined ? undefined : parseCallback(data);
      const handler = action === undefined ? undefined : this.handlers.get(action.kind);
      if (handler === undefined) return next();
      await (handler as unknown as Handler<ActionKind>)(ctx, action as never);
    };
  }
}
