import type { ConversationFlavor } from "@grammyjs/conversations";
import type { Context, SessionFlavor } from "grammy";
import type { Lang, Translate } from "../i18n.js";
import type { LastPress } from "./middleware/press-memory.js";
import type { UpdateScope } from "./middleware/update-scope.js";

export interface SessionData {
  /** Chosen or detected language; absent until the first private message. */
  lang?: Lang;
  /**
   * Message ids in this chat with the second they were sent, newest last, so /forget can
   * delete them while Telegram still allows it (48 hours). Ids only: never texts.
   */
  recent?: [messageId: number, sentAt: number][];
  /** The last message sent in answer to a button, so a double tap does not send it twice. */
  lastSent?: [action: string, sentAt: number];
}

interface BotFlavor {
  lang: Lang;
  t: Translate;
  /** The chat's anonymous key, present in private chats. Never log more than `shortKey` of it. */
  anonKey: string | undefined;
  /** What the bot has done while handling this update (see middleware/update-scope.ts). */
  scope: UpdateScope;
  /** The chat's previous button press, for recognising double taps (see middleware/press-memory.ts). */
  lastPress?: LastPress;
}

export type BaseContext = Context & BotFlavor & SessionFlavor<SessionData>;
export type BotContext = ConversationFlavor<BaseContext>;

/** Deletes the chat's session at the end of the update (grammY's session treats null as "delete"). */
export function dropSession(ctx: BaseContext): void {
  (ctx as unknown as { session: null }).session = null;
}
