import { createHash } from "node:crypto";
import { GrammyError } from "grammy";
import type { InlineKeyboardButton } from "grammy/types";
import { parseTelegramHtml } from "../telegram/html.js";
import type { BotContext } from "./context.js";

/** One screen of the bot: an HTML text and its buttons. */
export interface Screen {
  html: string;
  keyboard: InlineKeyboardButton[][];
}

const NO_PREVIEW = { is_disabled: true } as const;

/**
 * Shows a screen. A button press edits its own message in place, so browsing never floods the
 * chat; anything else sends a new message. Telegram refuses to edit a message to what it already
 * shows, so the edit is skipped then. What the message shows is best known from the chat's
 * previous press, when it was on the same message: presses that arrive faster than the bot
 * answers all carry the message as it was before the first of them, so the copy inside the
 * press is only trusted when nothing else is known.
 */
export async function show(ctx: BotContext, screen: Screen, mode: "auto" | "new" = "auto"): Promise<void> {
  const message = ctx.callbackQuery?.message;
  const editable = mode === "auto" && message !== undefined && "text" in message && typeof message.text === "string";
  if (editable) {
    const last = ctx.lastPress;
    const known = last !== undefined && last.messageId === message.message_id ? last.screen : undefined;
    const already = known !== undefined ? sameScreen(known, screen) : isShown(screen, message.text!, message.reply_markup?.inline_keyboard);
    if (!already) {
      try {
        await ctx.editMessageText(screen.html, {
          parse_mode: "HTML",
          reply_markup: { inline_keyboard: screen.keyboard },
          link_preview_options: NO_PREVIEW,
        });
      } catch (error) {
        // A repeat nothing could see coming (presses queued across a restart): the screen is shown already.
        if (!(error instanceof GrammyError && error.description.includes("message is not modified"))) throw error;
      }
    }
    // Only now, after Telegram took the edit (or the screen was there already).
    ctx.scope.shown = screen;
    return;
  }
  await ctx.reply(screen.html, {
    parse_mode: "HTML",
    reply_markup: { inline_keyboard: screen.keyboard },
    link_preview_options: NO_PREVIEW,
  });
}

const ids = new WeakMap<Screen, string>();

/** A short fingerprint of a screen (text and buttons), for telling whether a message already shows it. */
export function screenId(screen: Screen): string {
  let id = ids.get(screen);
  if (id === undefined) {
    id = createHash("sha1").update(screen.html).update(canonical(screen.keyboard)).digest("base64url").slice(0, 16);
    ids.set(screen, id);
  }
  return id;
}

function sameScreen(a: Screen, b: Screen): boolean {
  return a === b || (a.html === b.html && canonical(a.keyboard) === canonical(b.keyboard));
}

/** Whether a message already shows this screen (text as the user sees it, and the same buttons). */
export function isShown(screen: Screen, shownText: string, shownKeyboard: InlineKeyboardButton[][] | undefined): boolean {
  if (visibleText(screen.html) !== shownText.trim()) return false;
  return canonical(screen.keyboard) === canonical(shownKeyboard ?? []);
}

const visible = new Map<string, string | undefined>();

/** The text a user sees for some HTML. Screens repeat endlessly, so each is parsed once. */
function visibleText(html: string): string | undefined {
  if (visible.has(html)) return visible.get(html);
  const parsed = parseTelegramHtml(html);
  const text = parsed.ok ? parsed.text.trim() : undefined;
  if (visible.size >= 5_000) visible.clear();
  visible.set(html, text);
  return text;
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

export const button = {
  cb: (text: string, callback_data: string): InlineKeyboardButton => ({ text, callback_data }),
  url: (text: string, url: string): InlineKeyboardButton => ({ text, url }),
};

/** Lays buttons out two to a row. */
export function pairs(buttons: InlineKeyboardButton[]): InlineKeyboardButton[][] {
  const rows: InlineKeyboardButton[][] = [];
  for (let i = 0; i < buttons.length; i += 2) rows.push(buttons.slice(i, i + 2));
  return rows;
}

/** The bot's name and the reader's language: all a screen depends on besides its own arguments. */
interface Reader {
  lang: string;
  me: { username: string };
}

const CACHE_LIMIT = 2_000;

/**
 * Screens are pure functions of the reader's language, the bot's name, the content and a few
 * codes, and the same ones are shown over and over; each is built once. `key` must capture every
 * argument that changes the result. Callers never modify a returned screen.
 */
export function cachedScreen<D extends object, A extends unknown[], R>(
  build: (view: never, deps: D, ...args: A) => R,
  key: (...args: A) => string,
): <V extends Reader>(view: V, deps: D, ...args: A) => R {
  const caches = new WeakMap<D, Map<string, R>>();
  return (view, deps, ...args) => {
    let cache = caches.get(deps);
    if (cache === undefined) caches.set(deps, (cache = new Map()));
    const k = `${view.lang}|${view.me.username}|${key(...args)}`;
    let screen = cache.get(k);
    if (screen === undefined) {
      screen = build(view as never, deps, ...args);
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(k, screen);
    }
    return screen;
  };
}
