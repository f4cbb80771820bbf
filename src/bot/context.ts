import type { ConversationFlavor } from "@grammyjs/conversations";
import type { Context, SessionFlavor } from "grammy";
import type { Lang, Translate } from "../i18n.js";
import type { ChatRecords } from "../storage/storage.js";
import type { GuidedOutcome } from "./features/guided/conversation.js";
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

/** What the bot knows and decides about the update it is handling; none of it outlives the update. */
interface BotFlavor {
  lang: Lang;
  t: Translate;
  /** The chat's anonymous key, present in private chats. Never log more than `shortKey` of it. */
  anonKey: string | undefined;
  /** What the bot has done while handling this update (see middleware/update-scope.ts). */
  scope: UpdateScope;
  /** Set when this update deleted the chat's data, or comes from before /forget did: nothing is written back. */
  forgotten?: boolean;
  /** What the guided conversation decided from this update (see features/guided). */
  guided?: GuidedOutcome;
  /** The private chat's records while this update is handled (see middleware/unit-of-work.ts). */
  records?: ChatRecords;
  /** Set when this update had been handled before and was skipped. */
  duplicate?: boolean;
}

export type BaseContext = Context & BotFlavor & SessionFlavor<SessionData>;
export type BotContext = ConversationFlavor<BaseContext>;

/** Nothing of this update is written back: no session, no message ids. */
export function forgetThisUpdate(ctx: BaseContext): void {
  ctx.forgotten = true;
}
