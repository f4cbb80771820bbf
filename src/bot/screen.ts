import { type Api, GrammyError } from "grammy";
import type { InlineKeyboardButton } from "grammy/types";

/** One screen of the bot: an HTML text and its buttons. */
export interface Screen {
  html: string;
  keyboard: InlineKeyboardButton[][];
}

/** At most this many buttons on a screen: more do not fit a phone without scrolling. */
export const SCREEN_BUTTON_BUDGET = 8;

const NO_PREVIEW = { is_disabled: true } as const;

/** Telegram refuses an edit that changes nothing; for a repeated press that means "shown already". */
export function isNotModified(error: unknown): boolean {
  return error instanceof GrammyError && error.description.includes("message is not modified");
}

/** The part of a context that showing a screen needs; a conversation's context has it too. */
interface Shows {
  api: Api;
  chat?: { id: number } | undefined;
  callbackQuery?: { message?: { message_id: number } & ({ text?: string } | object) } | undefined;
  reply(text: string, other?: object): Promise<{ message_id: number }>;
  editMessageText(text: string, other?: object): Promise<unknown>;
}

/**
 * Shows a screen. A button press edits its own message in place, so browsing never floods the
 * chat; anything else sends a new message. Presses can arrive faster than the bot answers, each
 * carrying a stale copy of its message, so what a message shows is never guessed: the edit is
 * sent, and Telegram's "not modified" means the screen is there already. Returns the id of a new
 * message, if one was sent.
 */
export async function show(ctx: Shows, screen: Screen, mode: "auto" | "new" = "auto"): Promise<number | undefined> {
  const message = ctx.callbackQuery?.message;
  const options = { parse_mode: "HTML" as const, reply_markup: { inline_keyboard: screen.keyboard }, link_preview_options: NO_PREVIEW };
  if (mode === "auto" && message !== undefined && "text" in message && typeof message.text === "string") {
    try {
      await ctx.editMessageText(screen.html, options);
    } catch (error) {
      if (!isNotModified(error)) throw error;
    }
    return undefined;
  }
  return (await ctx.reply(screen.html, options)).message_id;
}

export const button = {
  cb: (text: string, callback_data: string): InlineKeyboardButton => ({ text, callback_data }),
  url: (text: string, url: string): InlineKeyboardButton => ({ text, url }),
  /** Copies `copy` to the reader's clipboard, on their device: nothing reaches the bot. */
  copy: (text: string, copy: string): InlineKeyboardButton => ({ text, copy_text: { text: copy } }),
};

/** Lays buttons out two to a row, but a label too long to share a row gets one of its own. */
export function rows(buttons: InlineKeyboardButton[], shareable = 18): InlineKeyboardButton[][] {
  const out: InlineKeyboardButton[][] = [];
  let pending: InlineKeyboardButton | undefined;
  for (const b of buttons) {
    if ([...b.text].length > shareable) {
      if (pending !== undefined) out.push([pending]);
      pending = undefined;
      out.push([b]);
      continue;
    }
    if (pending === undefined) pending = b;
    else {
      out.push([pending, b]);
      pending = undefined;
    }
  }
  if (pending !== undefined) out.push([pending]);
  return out;
}
