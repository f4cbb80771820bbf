import type { BotContext } from "./context.js";

/** Within this many seconds, the same button sends its message only once. */
const DOUBLE_TAP_SECONDS = 30;

/**
 * For buttons that send a new message (a summary, a file) rather than edit their own: true the
 * first time, false for a repeat of the same action moments later, which is a double tap rather
 * than a request. Editing buttons need no such guard: a repeated edit changes nothing.
 */
export function firstTap(ctx: BotContext, action: string, nowMs: number): boolean {
  const now = Math.floor(nowMs / 1000);
  const last = ctx.session.lastSent;
  if (last !== undefined && last[0] === action && now - last[1] < DOUBLE_TAP_SECONDS) return false;
  ctx.session.lastSent = [action, now];
  return true;
}
