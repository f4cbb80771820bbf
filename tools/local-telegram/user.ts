import type { InlineKeyboardButton, Message, Update, User } from "grammy/types";
import type { LocalTelegram, StoredMessage } from "./emulator.js";

export interface UserProfile {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

type Extra = Partial<Omit<Message, "message_id" | "date" | "chat" | "from">>;

/**
 * A person in a private chat with the bot. Every action builds the update Telegram would
 * send and waits until the bot has handled it (when the bot runs in-process).
 */
export class SimulatedUser {
  readonly user: User;

  constructor(
    readonly tg: LocalTelegram,
    profile: UserProfile,
  ) {
    this.user = { is_bot: false, ...profile };
  }

  get chatId(): number {
    return this.user.id;
  }

  private chat() {
    const { id, first_name, last_name, username } = this.user;
    return { id, type: "private" as const, first_name, ...(last_name ? { last_name } : {}), ...(username ? { username } : {}) };
  }

  /** Sends a text message (commands included) and returns the update it became. */
  send(text: string, extra: Extra = {}): Promise<void> {
    const entities = text.startsWith("/")
      ? [{ type: "bot_command" as const, offset: 0, length: text.split(/\s/, 1)[0]!.length }]
      : undefined;
    return this.message({ text, ...(entities ? { entities } : {}), ...extra });
  }

  /** Sends any kind of message: a sticker, a photo, a location… */
  message(extra: Extra): Promise<void> {
    const stored = this.tg.storeUserMessage(this.chatId, typeof extra.text === "string" ? extra.text : undefined);
    const message = { message_id: stored.message_id, date: stored.date, chat: this.chat(), from: this.user, ...extra } as Message;
    return this.tg.push({ update_id: this.tg.nextUpdateId(), message } as Update);
  }

  /** Edits a message the user sent earlier. */
  edit(messageId: number, text: string): Promise<void> {
    const edited_message = { message_id: messageId, date: this.tg.seconds(), edit_date: this.tg.seconds(), chat: this.chat(), from: this.user, text } as Message;
    return this.tg.push({ update_id: this.tg.nextUpdateId(), edited_message } as Update);
  }

  /** The bot's messages in this chat, as the user sees them now. */
  botMessages(): StoredMessage[] {
    return this.tg.visible(this.chatId).filter((m) => m.fromBot);
  }

  lastBotMessage(): StoredMessage | undefined {
    return this.botMessages().at(-1);
  }

  /** Every button on a message, row by row. */
  buttons(message = this.lastBotMessage()): InlineKeyboardButton[] {
    return message?.reply_markup?.inline_keyboard.flat() ?? [];
  }

  /** Presses the button whose text contains `label` (or whose data equals it) on the newest message that has one. */
  press(label: string | RegExp): Promise<void> {
    const matches = (b: InlineKeyboardButton) =>
      typeof label === "string" ? b.text.includes(label) || ("callback_data" in b && b.callback_data === label) : label.test(b.text);
    for (const message of this.botMessages().reverse()) {
      const button = this.buttons(message).find(matches);
      if (button !== undefined) {
        if (!("callback_data" in button)) throw new Error(`Button "${button.text}" is not a callback button`);
        return this.pressData(button.callback_data, message);
      }
    }
    throw new Error(`No button matching ${String(label)}; the last message has: ${this.buttons().map((b) => b.text).join(" | ")}`);
  }

  /** Sends a callback query with exactly this data, as if from a button on `message`. */
  pressData(data: string, message: StoredMessage | undefined = this.lastBotMessage()): Promise<void> {
    return this.tg.push(this.callbackUpdate(data, message));
  }

  /**
   * Taps a button `times` times faster than the bot answers: as on Telegram, every callback
   * query carries the message as it was before the first one was handled.
   */
  async tapRepeatedly(data: string, message: StoredMessage | undefined = this.lastBotMessage(), times = 2): Promise<void> {
    const updates = Array.from({ length: times }, () => this.callbackUpdate(data, message));
    for (const update of updates) await this.tg.push(update);
  }

  /**
   * Presses several buttons faster than the bot answers: every press carries the message as it
   * was before the first, as on Telegram when updates queue up.
   */
  async pressQuickly(data: string[], message: StoredMessage | undefined = this.lastBotMessage()): Promise<void> {
    const updates = data.map((d) => this.callbackUpdate(d, message));
    for (const update of updates) await this.tg.push(update);
  }

  private callbackUpdate(data: string, message: StoredMessage | undefined): Update {
    const callback_query = {
      id: this.tg.nextId(`${this.chatId}-cb-`),
      from: this.user,
      chat_instance: `ci-${this.chatId}`,
      data,
      ...(message === undefined ? {} : { message: structuredClone(this.tg.messageForCallback(message)) as Message }),
    };
    return { update_id: this.tg.nextUpdateId(), callback_query } as Update;
  }

  /** Presses a button on a message that was posted via inline mode (no chat message attached). */
  pressInlineMessageButton(data: string): Promise<void> {
    const callback_query = {
      id: this.tg.nextId(`${this.chatId}-cbi-`),
      from: this.user,
      chat_instance: "inline",
      inline_message_id: this.tg.nextId("inline-msg-"),
      data,
    };
    return this.tg.push({ update_id: this.tg.nextUpdateId(), callback_query } as Update);
  }

  /** Types `@bot query` in any chat; returns the results the bot offered. */
  async inline(query: string, chatType: "sender" | "private" | "group" = "sender"): Promise<InlineResult[]> {
    const id = this.tg.nextId(`${this.chatId}-iq-`);
    await this.tg.push({
      update_id: this.tg.nextUpdateId(),
      inline_query: { id, from: this.user, query, offset: "", chat_type: chatType },
    });
    return (this.tg.takeInlineAnswer(id) ?? []) as InlineResult[];
  }

  /** Tells the bot which inline result the user picked (inline feedback). */
  chooseInline(resultId: string, query: string): Promise<void> {
    return this.tg.push({
      update_id: this.tg.nextUpdateId(),
      chosen_inline_result: { result_id: resultId, from: this.user, query },
    });
  }

  /** The user blocks (or unblocks) the bot. */
  setBlocked(blocked: boolean): Promise<void> {
    if (blocked) this.tg.blocked.add(this.chatId);
    else this.tg.blocked.delete(this.chatId);
    const member = (status: "member" | "kicked") => ({ user: { id: this.tg.botInfo.id, is_bot: true, first_name: this.tg.botInfo.first_name }, status });
    return this.tg.push({
      update_id: this.tg.nextUpdateId(),
      my_chat_member: {
        chat: this.chat(),
        from: this.user,
        date: this.tg.seconds(),
        old_chat_member: member(blocked ? "member" : "kicked"),
        new_chat_member: member(blocked ? "kicked" : "member"),
      },
    } as Update);
  }
}

export interface InlineResult {
  type: "article";
  id: string;
  title: string;
  description?: string;
  input_message_content: { message_text: string; parse_mode?: string };
  reply_markup?: { inline_keyboard: InlineKeyboardButton[][] };
}
