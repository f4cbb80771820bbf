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
 * Shows a screen. A button press edits its own message in place, so browsing never floods
 * the chat; anything else sends a new message. Pressing a button whose screen is already
 * shown (a double tap) changes nothing, because Telegram refuses identical edits.
 */
export async function show(ctx: BotContext, screen: Screen, mode: "auto" | "new" = "auto"): Promise<void> {
  const message = ctx.callbackQuery?.message;
  const editable = mode === "auto" && message !== undefined && "text" in message && typeof message.text === "string";
  if (editable) {
    if (isShown(screen, message.text!, message.reply_markup?.inline_keyboard)) return;
    await ctx.editMessageText(screen.html, {
      parse_mode: "HTML",
      reply_markup: { inline_keyboard: screen.keyboard },
      link_preview_options: NO_PREVIEW,
    });
    return;
  }
  await ctx.reply(screen.html, {
    parse_mode: "HTML",
    reply_markup: { inline_keyboard: screen.keyboard },
    link_preview_options: NO_PREVIEW,
  });
}

/** Whether a message already shows this screen (text as the user sees it, and the same buttons). */
export function isShown(screen: Screen, shownText: string, shownKeyboard: InlineKeyboardButton[][] | undefined): boolean {
  const parsed = parseTelegramHtml(screen.html);
  if (!parsed.ok || parsed.text.trim() !== shownText.trim()) return false;
  return canonical(screen.keyboard) === canonical(shownKeyboard ?? []);
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
