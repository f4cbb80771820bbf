import type { InlineKeyboardMarkup, Update, UserFromGetMe } from "grammy/types";
import {
  ApiRejection,
  checkCallbackAnswer,
  checkCaption,
  checkCommands,
  checkInlineResults,
  checkMessageText,
  checkReplyMarkup,
  reject,
} from "./rules.js";

/**
 * An in-process stand-in for the Telegram Bot API: it keeps each chat's messages as the
 * user would see them, refuses what Telegram refuses, and records every call. The local
 * terminal chat, the tests and the benchmarks all talk to the bot through it.
 */

export interface StoredMessage {
  message_id: number;
  chat_id: number;
  /** Seconds, like Telegram's `date`. */
  date: number;
  fromBot: boolean;
  text?: string;
  /** Raw HTML (or plain text) the bot sent; with `text` it decides whether an edit changes anything. */
  signature?: string;
  reply_markup?: InlineKeyboardMarkup;
  document?: { file_name: string; mime_type: string; size: number; content: Buffer };
  caption?: string;
  edits: number;
}

export interface ApiCall {
  method: string;
  params: Record<string, unknown>;
  ok: boolean;
  error?: { code: number; description: string };
}

export interface ChatEvent {
  kind: "sent" | "edited" | "deleted";
  chatId: number;
  message: StoredMessage;
}

type ApiResult = { ok: true; result: unknown } | { ok: false; error_code: number; description: string; parameters?: { retry_after?: number } };

export interface EmulatorOptions {
  botInfo?: UserFromGetMe;
  /** Milliseconds since the epoch; tests move it to cross Telegram's 48-hour deletion window. */
  now?: () => number;
  /** Keep at most this many calls in `calls` (benchmarks make millions). */
  callLogLimit?: number;
  /** Update ids start after this one: a bot's database remembers the ids it has handled and skips them again. */
  lastUpdateId?: number;
}

export const DEFAULT_BOT_INFO: UserFromGetMe = {
  id: 7000000001,
  is_bot: true,
  first_name: "Asylum Basics",
  username: "asylum_basics_bot",
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: true,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
};

const DELETE_WINDOW_SECONDS = 48 * 3600;

export class LocalTelegram {
  readonly botInfo: UserFromGetMe;
  readonly calls: ApiCall[] = [];
  readonly rejected: ApiCall[] = [];
  /**
   * Edits refused as "message is not modified": Telegram's answer to a repeated press, which the
   * bot treats as "shown already" (as @grammyjs/menu does). Not a mistake, so not in `rejected`.
   */
  readonly notModified: ApiCall[] = [];
  callCount = 0;
  /** Updates handed out by getUpdates, each time it handed one out: more than the updates sent means some were fetched again. */
  handedOut = 0;
  readonly chats = new Map<number, Map<number, StoredMessage>>();
  readonly commands = new Map<string, unknown[]>();
  /** The bot's description and short description, by language code ("" for the default). */
  readonly descriptions = new Map<string, { description?: string; short_description?: string }>();
  webhook: { url: string; secret_token?: string; allowed_updates?: string[] } | undefined;
  /** Users who blocked the bot: calls to their chats fail with 403. */
  readonly blocked = new Set<number>();
  /** Artificial latency per method ("*" for all), in milliseconds: a slow Bot API. A caller that gives up first gets nothing done. */
  readonly delays = new Map<string, number>();
  /** Methods ("*" for all) whose calls hang until the caller gives up: a Bot API that stopped answering. */
  readonly hangs = new Set<string>();
  /** Answers to give getUpdates instead of the queue, one per call: for malformed-result tests. */
  readonly getUpdatesAnswers: unknown[] = [];
  /** Scripted failures, consumed one per matching call: for retry and error-path tests. */
  readonly failures: { method: string; code: number; description: string; retryAfter?: number }[] = [];

  /** Told of every call that succeeded, as it happens: how a benchmark sees that an update was answered. */
  onCall: ((method: string, params: Record<string, unknown>) => void) | undefined;

  private readonly now: () => number;
  private readonly callLogLimit: number;
  private readonly nextMessageId = new Map<number, number>();
  /** Callback queries waiting for an answer; an answered one is gone, as on Telegram. */
  private readonly callbackQueries = new Set<string>();
  private readonly inlineQueries = new Map<string, { answered: boolean; results?: unknown[] }>();
  private readonly listeners = new Set<(e: ChatEvent) => void>();
  private readonly queue: Update[] = [];
  private pollWaiters: (() => void)[] = [];
  private confirmedOffset = 0;
  private updateId = 100_000;
  private idCounter = 0;

  constructor(options: EmulatorOptions = {}) {
    this.botInfo = options.botInfo ?? DEFAULT_BOT_INFO;
    this.now = options.now ?? Date.now;
    this.callLogLimit = options.callLogLimit ?? Infinity;
    this.updateId = Math.max(this.updateId, options.lastUpdateId ?? 0);
  }

  // ---- the Bot API side -------------------------------------------------------------

  /** Performs one Bot API call and returns Telegram's JSON envelope. */
  async call(method: string, params: Record<string, unknown>, signal?: AbortSignal): Promise<ApiResult> {
    this.callCount++;
    const record: ApiCall = { method, params, ok: true };
    if (this.calls.length < this.callLogLimit) this.calls.push(record);
    const delay = this.delays.get(method) ?? this.delays.get("*");
    // Latency and hangs come before the call takes effect: a caller that gave up meanwhile changed nothing.
    if (delay !== undefined) await waitFor(delay, signal);
    if (this.hangs.has(method) || this.hangs.has("*")) await waitFor(Infinity, signal);
    if (signal?.aborted === true) throw new DOMException("The operation was aborted", "AbortError");
    try {
      const failure = this.failures.findIndex((f) => f.method === method || f.method === "*");
      if (failure >= 0) {
        const f = this.failures.splice(failure, 1)[0]!;
        return {
          ok: false,
          error_code: f.code,
          description: f.description,
          ...(f.retryAfter === undefined ? {} : { parameters: { retry_after: f.retryAfter } }),
        };
      }
      if (method === "getUpdates" && this.getUpdatesAnswers.length > 0) return { ok: true, result: this.getUpdatesAnswers.shift() };
      const result = method === "getUpdates" ? await this.getUpdates(params, signal) : this.perform(method, params);
      this.onCall?.(method, params);
      return { ok: true, result };
    } catch (e) {
      if (!(e instanceof ApiRejection)) throw e;
      record.ok = false;
      record.error = { code: e.code, description: e.description };
      // A 403 from a user who blocked the bot is Telegram working as designed, not a bot mistake.
      if (e.description.includes("message is not modified")) this.notModified.push(record);
      else if (e.code !== 403) this.rejected.push(record);
      return { ok: false, error_code: e.code, description: e.description };
    }
  }

  /** A `fetch` for grammY's `client.fetch` option: the bot's HTTP requests never leave the process. */
  readonly fetch = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const method = String(url).split("/").pop() ?? "";
    const params = await readBody(init);
    // A real request crosses the event loop; so does this one, or timers would starve under load.
    await new Promise((resolve) => setImmediate(resolve));
    const result = await this.call(method, params, init?.signal ?? undefined);
    return answer(JSON.stringify(result), result.ok ? 200 : result.error_code);
  };

  private perform(method: string, p: Record<string, unknown>): unknown {
    switch (method) {
      case "getMe":
        return this.botInfo;
      case "setMyCommands":
        checkCommands(p);
        this.commands.set(commandScopeKey(p), p.commands as unknown[]);
        return true;
      case "deleteMyCommands":
        this.commands.delete(commandScopeKey(p));
        return true;
      case "getMyCommands":
        return this.commands.get(commandScopeKey(p)) ?? [];
      case "setMyDescription":
      case "setMyShortDescription": {
        const field = method === "setMyDescription" ? "description" : "short_description";
        const limit = method === "setMyDescription" ? 512 : 120;
        const text = p[field];
        if (text !== undefined && (typeof text !== "string" || text.length > limit)) reject(`${field} must be at most ${limit} characters`);
        const lang = String(p.language_code ?? "");
        if (lang !== "" && !/^[a-z]{2}$/.test(lang)) reject("language_code is invalid");
        this.descriptions.set(lang, { ...this.descriptions.get(lang), [field]: text });
        return true;
      }
      case "setWebhook":
        if (typeof p.url !== "string" || !p.url.startsWith("https://")) reject("bad webhook: An HTTPS URL must be provided for webhook");
        if (p.secret_token !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(String(p.secret_token))) reject("bad webhook: secret token contains unallowed characters");
        this.webhook = {
          url: p.url as string,
          ...(p.secret_token === undefined ? {} : { secret_token: String(p.secret_token) }),
          ...(Array.isArray(p.allowed_updates) ? { allowed_updates: p.allowed_updates as string[] } : {}),
        };
        return true;
      case "deleteWebhook":
        this.webhook = undefined;
        return true;
      case "getWebhookInfo":
        return { url: this.webhook?.url ?? "", has_custom_certificate: false, pending_update_count: this.queue.length };
      case "sendMessage":
        return this.sendMessage(p);
      case "sendDocument":
        return this.sendDocument(p);
      case "editMessageText":
        return this.editMessage(p, true);
      case "editMessageReplyMarkup":
        return this.editMessage(p, false);
      case "deleteMessage":
        this.deleteMessage(Number(p.chat_id), Number(p.message_id));
        return true;
      case "deleteMessages": {
        const ids = p.message_ids;
        if (!Array.isArray(ids) || ids.length < 1 || ids.length > 100) reject("message_ids must hold 1-100 identifiers");
        this.chatFor(p.chat_id);
        // Telegram skips messages it cannot delete here, and succeeds if any was deleted.
        let any = false;
        for (const id of ids as number[]) {
          try {
            this.deleteMessage(Number(p.chat_id), Number(id));
            any = true;
          } catch (e) {
            if (!(e instanceof ApiRejection)) throw e;
          }
        }
        if (!any) reject("message to delete not found");
        return true;
      }
      case "answerCallbackQuery":
        return this.answerCallbackQuery(p);
      case "answerInlineQuery":
        return this.answerInlineQuery(p);
      case "sendChatAction":
        this.chatFor(p.chat_id);
        return true;
      case "leaveChat":
        return true;
      case "close":
      case "logOut":
        return true;
      default:
        return reject(`Not Found: method ${method} is not emulated`, 404);
    }
  }

  private chatFor(chatId: unknown): Map<number, StoredMessage> {
    const id = Number(chatId);
    if (!Number.isSafeInteger(id) || id === 0) reject("chat not found");
    if (this.blocked.has(id)) reject("Forbidden: bot was blocked by the user", 403);
    let chat = this.chats.get(id);
    if (chat === undefined) {
      chat = new Map();
      this.chats.set(id, chat);
    }
    return chat;
  }

  private newMessageId(chatId: number): number {
    const id = (this.nextMessageId.get(chatId) ?? 0) + 1;
    this.nextMessageId.set(chatId, id);
    return id;
  }

  private sendMessage(p: Record<string, unknown>) {
    const rendered = checkMessageText(p.text, p.parse_mode);
    checkReplyMarkup(p.reply_markup);
    const message = this.storeBotMessage(p.chat_id, {
      text: rendered.text,
      signature: rendered.signature,
      ...(p.reply_markup === undefined ? {} : { reply_markup: p.reply_markup as InlineKeyboardMarkup }),
    });
    return this.toTelegramMessage(message);
  }

  private sendDocument(p: Record<string, unknown>) {
    this.chatFor(p.chat_id);
    const file = p.document as UploadedFile | string | undefined;
    if (file === undefined || (typeof file !== "string" && !Buffer.isBuffer(file.content))) return reject("there is no document in the request");
    const caption = checkCaption(p.caption, p.parse_mode);
    checkReplyMarkup(p.reply_markup);
    const message = this.storeBotMessage(p.chat_id, {
      ...(caption === undefined ? {} : { caption: caption.text }),
      ...(typeof file === "string" ? {} : { document: { file_name: file.fileName, mime_type: file.mimeType, size: file.content.length, content: file.content } }),
    });
    return {
      ...this.toTelegramMessage(message),
      document: { file_id: `doc-${message.message_id}`, file_unique_id: `u${message.message_id}`, file_name: message.document?.file_name },
    };
  }

  /** Stores a message the bot sent to a chat, and tells the listeners. */
  private storeBotMessage(chatIdParam: unknown, content: Partial<StoredMessage>): StoredMessage {
    const chat = this.chatFor(chatIdParam);
    const chatId = Number(chatIdParam);
    const message: StoredMessage = { message_id: this.newMessageId(chatId), chat_id: chatId, date: this.seconds(), fromBot: true, ...content, edits: 0 };
    chat.set(message.message_id, message);
    this.emit({ kind: "sent", chatId, message });
    return message;
  }

  private editMessage(p: Record<string, unknown>, withText: boolean) {
    if (p.inline_message_id !== undefined) {
      // Messages posted via inline mode live in other people's chats; we only check the payload.
      if (withText) checkMessageText(p.text, p.parse_mode);
      checkReplyMarkup(p.reply_markup);
      return true;
    }
    const chat = this.chatFor(p.chat_id);
    const message = chat.get(Number(p.message_id));
    if (message === undefined) return reject("message to edit not found");
    if (!message.fromBot) reject("message can't be edited");
    if (withText && message.text === undefined) reject("there is no text in the message to edit");
    const rendered = withText ? checkMessageText(p.text, p.parse_mode) : undefined;
    checkReplyMarkup(p.reply_markup);
    const sameText = rendered === undefined || (rendered.text === message.text && rendered.signature === message.signature);
    const sameMarkup = JSON.stringify(p.reply_markup ?? null) === JSON.stringify(message.reply_markup ?? null);
    if (sameText && sameMarkup) {
      reject("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message");
    }
    if (rendered !== undefined) {
      message.text = rendered.text;
      message.signature = rendered.signature;
    }
    if (p.reply_markup === undefined) delete message.reply_markup;
    else message.reply_markup = p.reply_markup as InlineKeyboardMarkup;
    message.edits++;
    this.emit({ kind: "edited", chatId: message.chat_id, message });
    return this.toTelegramMessage(message);
  }

  private deleteMessage(chatId: number, messageId: number): void {
    const chat = this.chatFor(chatId);
    const message = chat.get(messageId);
    if (message === undefined) return reject("message to delete not found");
    if (this.seconds() - message.date > DELETE_WINDOW_SECONDS) reject("message can't be deleted for everyone");
    chat.delete(messageId);
    this.emit({ kind: "deleted", chatId, message });
  }

  private answerCallbackQuery(p: Record<string, unknown>) {
    if (!this.callbackQueries.has(String(p.callback_query_id))) reject("query is too old and response timeout expired or query ID is invalid");
    checkCallbackAnswer(p);
    this.callbackQueries.delete(String(p.callback_query_id));
    return true;
  }

  private answerInlineQuery(p: Record<string, unknown>) {
    const query = this.inlineQueries.get(String(p.inline_query_id));
    if (query === undefined || query.answered) reject("query is too old and response timeout expired or query ID is invalid");
    checkInlineResults(p);
    query!.answered = true;
    query!.results = p.results as unknown[];
    return true;
  }

  private toTelegramMessage(m: StoredMessage) {
    return {
      message_id: m.message_id,
      date: m.date,
      chat: { id: m.chat_id, type: "private" },
      from: { id: this.botInfo.id, is_bot: true, first_name: this.botInfo.first_name, username: this.botInfo.username },
      ...(m.text === undefined ? {} : { text: m.text }),
      ...(m.caption === undefined ? {} : { caption: m.caption }),
      ...(m.reply_markup === undefined ? {} : { reply_markup: m.reply_markup }),
      ...(m.edits > 0 ? { edit_date: m.date } : {}),
    };
  }

  /** How a stored bot message looks inside a callback query. */
  messageForCallback(m: StoredMessage) {
    return this.toTelegramMessage(m);
  }

  // ---- updates ------------------------------------------------------------------------

  /** Set by whoever runs the bot in-process; without it, updates wait for getUpdates. */
  deliver: ((update: Update) => Promise<void>) | undefined;
  /** Set by the HTTP front: posts an update to the registered webhook and returns the HTTP status. */
  webhookDelivery: ((update: Update) => Promise<number>) | undefined;
  /** What each webhook delivery got back, in order. */
  readonly webhookResults: { update_id: number; status: number }[] = [];

  nextUpdateId(): number {
    return ++this.updateId;
  }

  nextId(prefix: string): string {
    return `${prefix}${++this.idCounter}`;
  }

  /** Hands an update to the bot: directly when running in-process, otherwise through getUpdates. */
  async push(update: Update): Promise<void> {
    if (update.callback_query !== undefined) this.callbackQueries.add(update.callback_query.id);
    if (update.inline_query !== undefined) this.inlineQueries.set(update.inline_query.id, { answered: false });
    if (this.deliver !== undefined) return this.deliver(update);
    if (this.webhook !== undefined && this.webhookDelivery !== undefined) {
      const status = await this.webhookDelivery(update).catch(() => 0);
      this.webhookResults.push({ update_id: update.update_id, status });
      return;
    }
    this.queue.push(update);
    const waiters = this.pollWaiters;
    this.pollWaiters = [];
    for (const w of waiters) w();
  }

  /** Records a message the user sent, so the bot may later delete it like on Telegram. */
  storeUserMessage(chatId: number, text: string | undefined): StoredMessage {
    const chat = this.chats.get(chatId) ?? new Map<number, StoredMessage>();
    this.chats.set(chatId, chat);
    const message: StoredMessage = {
      message_id: this.newMessageId(chatId),
      chat_id: chatId,
      date: this.seconds(),
      fromBot: false,
      ...(text === undefined ? {} : { text }),
      edits: 0,
    };
    chat.set(message.message_id, message);
    return message;
  }

  /** The results the bot gave for an inline query; once read, the answered query is forgotten. */
  takeInlineAnswer(queryId: string): unknown[] | undefined {
    const results = this.inlineQueries.get(queryId)?.results;
    if (results !== undefined) this.inlineQueries.delete(queryId);
    return results;
  }

  /** Whether the bot has answered this callback or inline query (or it never existed). */
  isAnswered(queryId: string): boolean {
    const inline = this.inlineQueries.get(queryId);
    if (inline !== undefined) return inline.answered;
    return !this.callbackQueries.has(queryId);
  }

  /** Updates not yet confirmed by a getUpdates offset (what a restarted bot would receive again). */
  pendingUpdates(): readonly Update[] {
    return this.queue.filter((u) => u.update_id >= this.confirmedOffset);
  }

  private async getUpdates(p: Record<string, unknown>, signal?: AbortSignal): Promise<Update[]> {
    if (this.webhook !== undefined) reject("Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first", 409);
    const offset = Number(p.offset ?? 0);
    if (offset > 0) {
      this.confirmedOffset = Math.max(this.confirmedOffset, offset);
      while (this.queue.length > 0 && this.queue[0]!.update_id < offset) this.queue.shift();
    }
    const limit = Math.min(100, Math.max(1, Number(p.limit ?? 100)));
    const timeout = Math.min(50, Math.max(0, Number(p.timeout ?? 0)));
    if (this.queue.length === 0 && timeout > 0 && signal?.aborted !== true) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", done);
          resolve();
        };
        const timer = setTimeout(done, timeout * 1000);
        signal?.addEventListener("abort", done);
        this.pollWaiters.push(done);
      });
    }
    const batch = this.queue.slice(0, limit);
    this.handedOut += batch.length;
    return batch;
  }

  // ---- observing chats ----------------------------------------------------------------

  onChatEvent(listener: (e: ChatEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: ChatEvent): void {
    for (const l of this.listeners) l(e);
  }

  /** The messages of a chat as the user sees them now, oldest first. */
  visible(chatId: number): StoredMessage[] {
    return [...(this.chats.get(chatId)?.values() ?? [])];
  }

  seconds(): number {
    return Math.floor(this.now() / 1000);
  }
}

/** Waits `ms` (forever for Infinity), or until the signal aborts. */
function waitFor(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    const timer = ms === Infinity ? undefined : setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done);
  });
}

function commandScopeKey(p: Record<string, unknown>): string {
  return `${JSON.stringify(p.scope ?? { type: "default" })}|${String(p.language_code ?? "")}`;
}

/** A file uploaded with a multipart request. */
export interface UploadedFile {
  fileName: string;
  mimeType: string;
  content: Buffer;
}

/**
 * The answer as much of a fetch Response as its readers use (grammY's client: json(); the bot's
 * transport: status and text()). A platform Response reads its body through a web stream: with
 * it, ten test files that start bots used 52-55 s of CPU, 47-50 s with this.
 */
function answer(body: string, status: number): Response {
  const headers = new Headers({ "content-type": "application/json" });
  return { ok: status >= 200 && status < 300, status, headers, text: async () => body, json: async () => JSON.parse(body) as unknown } as Response;
}

/** Reads a grammY request body: a JSON string, or a multipart stream when a file is uploaded. */
async function readBody(init?: RequestInit): Promise<Record<string, unknown>> {
  const body = init?.body;
  if (body === undefined || body === null) return {};
  if (typeof body === "string") return JSON.parse(body) as Record<string, unknown>;
  const chunks: Buffer[] = [];
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array | string>) chunks.push(Buffer.from(chunk));
  const headers = new Headers(init?.headers as ConstructorParameters<typeof Headers>[0]);
  return parseMultipart(Buffer.concat(chunks), headers.get("content-type") ?? "");
}

/** Bot API parameters from a multipart/form-data body; uploaded files become `UploadedFile`s. */
export function parseMultipart(body: Buffer, contentType: string): Record<string, unknown> {
  const boundary = /boundary=([^;]+)/.exec(contentType)?.[1];
  if (boundary === undefined) return reject("multipart request without a boundary");
  const params: Record<string, unknown> = {};
  for (const part of multipartParts(body, boundary)) {
    params[part.name] = part.fileName === undefined ? parseFormValue(part.content.toString("utf8")) : { fileName: part.fileName, mimeType: part.mimeType, content: part.content };
  }
  // grammY uploads files under a random field and refers to them as attach://<field>.
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === "string" && value.startsWith("attach://")) params[key] = params[value.slice("attach://".length)];
  }
  return params;
}

/** A tolerant multipart/form-data reader: grammY writes headers without spaces and file names unquoted. */
function multipartParts(body: Buffer, boundary: string): { name: string; fileName?: string; mimeType: string; content: Buffer }[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts = [];
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    const part = body.subarray(start + delimiter.length + 2, next - 2); // skip CRLF after the delimiter and before the next
    const split = part.indexOf("\r\n\r\n");
    if (split !== -1) {
      const head = part.subarray(0, split).toString("utf8");
      const name = /name="?([^";\r\n]+)"?/i.exec(head)?.[1];
      const fileName = /filename="?([^";\r\n]+)"?/i.exec(head)?.[1];
      const mimeType = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1] ?? "application/octet-stream";
      if (name !== undefined) parts.push({ name, ...(fileName === undefined ? {} : { fileName }), mimeType, content: part.subarray(split + 4) });
    }
    start = next;
  }
  return parts;
}

function parseFormValue(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
