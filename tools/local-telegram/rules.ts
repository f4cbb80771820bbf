import { MAX_BUTTON_URL_LENGTH, MAX_CAPTION_LENGTH, MAX_COPY_TEXT_LENGTH, MAX_MESSAGE_LENGTH, parseTelegramHtml } from "../../src/telegram/html.js";

/**
 * The parts of the Bot API contract that the bot can break: limits on text, buttons,
 * inline results and deep links. Each check returns Telegram's own wording, or nothing.
 */

export class ApiRejection extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
  ) {
    super(description);
  }
}

export const reject = (description: string, code = 400): never => {
  throw new ApiRejection(code, description.startsWith("Bad Request") || code !== 400 ? description : `Bad Request: ${description}`);
};

const byteLength = (s: string) => Buffer.byteLength(s, "utf8");

export interface RenderedText {
  /** What the user sees. */
  text: string;
  /** Formatting as written, with Telegram's tag aliases folded, to decide whether an edit changes anything. */
  signature: string;
}

const TAG_ALIASES: Record<string, string> = { strong: "b", em: "i", ins: "u", strike: "s", del: "s", "tg-spoiler": "span" };

export function renderText(raw: unknown, parseMode: unknown, limit: number, field = "text"): RenderedText {
  if (typeof raw !== "string") reject(`${field} must be a string`);
  const value = raw as string;
  let text = value;
  let signature = value;
  if (parseMode === "HTML") {
    const parsed = parseTelegramHtml(value);
    if (!parsed.ok) reject(`can't parse entities: ${parsed.error}`);
    text = (parsed as { text: string }).text;
    signature = value.replace(/<(\/?)([a-z-]+)/gi, (_m, slash: string, tag: string) => `<${slash}${TAG_ALIASES[tag.toLowerCase()] ?? tag.toLowerCase()}`);
  } else if (parseMode !== undefined) {
    reject(`unsupported parse_mode ${String(parseMode)} (the bot only uses HTML)`);
  }
  const trimmed = text.trim();
  if (field === "text" && trimmed.length === 0) reject("message text is empty");
  if (trimmed.length > limit) reject(field === "text" ? "message is too long" : `${field} is too long`);
  return { text: trimmed, signature };
}

export const checkMessageText = (text: unknown, parseMode: unknown) => renderText(text, parseMode, MAX_MESSAGE_LENGTH);
export const checkCaption = (text: unknown, parseMode: unknown) =>
  text === undefined ? undefined : renderText(text, parseMode, MAX_CAPTION_LENGTH, "caption");

const DEEP_LINK = /^https:\/\/t\.me\/[A-Za-z0-9_]{5,32}\?start=(.*)$/;
const START_PAYLOAD = /^[A-Za-z0-9_-]{1,64}$/;

/** URL buttons open http(s):// and tg:// links only: mailto:, tel: and the rest are refused, as is an over-long address. */
export function checkUrl(url: string): void {
  if (url.length > MAX_BUTTON_URL_LENGTH) reject(`inline keyboard button URL is too long (${url.length} characters; this Bot API stand-in allows ${MAX_BUTTON_URL_LENGTH}, see MAX_BUTTON_URL_LENGTH)`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return reject(`inline keyboard button URL '${url}' is invalid`);
  }
  if (!["http:", "https:", "tg:"].includes(parsed.protocol)) reject(`inline keyboard button URL '${url}' is invalid`);
  const deepLink = DEEP_LINK.exec(url);
  if (deepLink !== null && !START_PAYLOAD.test(deepLink[1]!)) reject(`deep-link payload '${deepLink[1]}' is invalid`);
}

const BUTTON_KINDS = [
  "url",
  "callback_data",
  "switch_inline_query",
  "switch_inline_query_current_chat",
  "switch_inline_query_chosen_chat",
  "copy_text",
  "web_app",
  "login_url",
  "pay",
  "callback_game",
] as const;

export function checkReplyMarkup(markup: unknown, options: { allowCallback?: boolean } = {}): void {
  if (markup === undefined) return;
  if (typeof markup !== "object" || markup === null) return reject("can't parse reply keyboard markup JSON object");
  const m = markup as Record<string, unknown>;
  if ("inline_keyboard" in m) {
    const rows = m.inline_keyboard;
    if (!Array.isArray(rows)) return reject("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array");
    if (rows.length > 100) reject("too many inline keyboard rows");
    let total = 0;
    for (const row of rows) {
      if (!Array.isArray(row)) return reject("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array of Arrays");
      if (row.length > 8) reject("too many buttons in a row");
      for (const button of row as Record<string, unknown>[]) {
        total++;
        checkButton(button, options);
      }
    }
    if (total > 100) reject("too many inline keyboard buttons");
    return;
  }
  if ("remove_keyboard" in m || "force_reply" in m || "keyboard" in m) return;
  reject("can't parse reply keyboard markup JSON object");
}

function checkButton(button: Record<string, unknown>, options: { allowCallback?: boolean }): void {
  if (typeof button !== "object" || button === null) return reject("can't parse inline keyboard button");
  if (typeof button.text !== "string" || button.text.trim() === "") reject("text buttons are unallowed in the inline keyboard");
  const kinds = BUTTON_KINDS.filter((k) => button[k] !== undefined);
  if (kinds.length !== 1) reject("can't parse inline keyboard button: exactly one of its optional fields must be used");
  const kind = kinds[0]!;
  if (kind === "callback_data") {
    if (options.allowCallback === false) reject("callback buttons are unallowed here");
    const data = button.callback_data;
    if (typeof data !== "string" || byteLength(data) < 1 || byteLength(data) > 64) reject("BUTTON_DATA_INVALID");
  }
  if (kind === "url") {
    if (typeof button.url !== "string") reject("inline keyboard button URL must be a string");
    checkUrl(button.url as string);
  }
  if (kind === "copy_text") {
    const copy = button.copy_text as Record<string, unknown> | null;
    const text = typeof copy === "object" && copy !== null ? copy.text : undefined;
    if (typeof text !== "string" || text.length < 1 || text.length > MAX_COPY_TEXT_LENGTH) reject("COPY_TEXT_INVALID: the text to copy must be 1-256 characters");
  }
  if (kind === "switch_inline_query" || kind === "switch_inline_query_current_chat") {
    const q = button[kind];
    if (typeof q !== "string" || q.length > 256) reject("switch inline query is too long");
  }
}

export function checkCallbackAnswer(params: Record<string, unknown>): void {
  const text = params.text;
  if (text !== undefined && (typeof text !== "string" || text.length > 200)) reject("MESSAGE_TOO_LONG: callback answer text is longer than 200 characters");
  if (params.url !== undefined) reject("URL_INVALID: callback answers may only open game or t.me links");
}

export function checkInlineResults(params: Record<string, unknown>): void {
  const results = params.results;
  if (!Array.isArray(results)) return reject("results must be an array");
  if (results.length > 50) reject("RESULTS_TOO_MUCH");
  const ids = new Set<string>();
  for (const r of results as Record<string, unknown>[]) {
    const id = r.id;
    if (typeof id !== "string" || byteLength(id) < 1 || byteLength(id) > 64) reject("RESULT_ID_INVALID");
    if (ids.has(id as string)) reject("RESULT_ID_DUPLICATE");
    ids.add(id as string);
    if (r.type !== "article") reject(`unsupported inline result type ${String(r.type)} (the bot only sends articles)`);
    if (typeof r.title !== "string" || r.title.trim() === "") reject("RESULT_TITLE_EMPTY");
    if (r.description !== undefined && typeof r.description !== "string") reject("result description must be a string");
    const content = r.input_message_content as Record<string, unknown> | undefined;
    if (content === undefined || typeof content !== "object") return reject("input_message_content is required");
    checkMessageText(content.message_text, content.parse_mode);
    checkReplyMarkup(r.reply_markup, { allowCallback: true });
  }
  if (params.cache_time !== undefined && (typeof params.cache_time !== "number" || params.cache_time < 0)) reject("cache_time is invalid");
  const button = params.button as Record<string, unknown> | undefined;
  if (button !== undefined) {
    if (typeof button.text !== "string" || button.text === "") reject("inline query button text is empty");
    if (button.start_parameter !== undefined && !START_PAYLOAD.test(String(button.start_parameter))) reject("START_PARAM_INVALID");
  }
}

export function checkCommands(params: Record<string, unknown>): void {
  const commands = params.commands;
  if (!Array.isArray(commands) || commands.length > 100) return reject("commands must be an array of at most 100");
  for (const c of commands as Record<string, unknown>[]) {
    if (typeof c.command !== "string" || !/^[a-z0-9_]{1,32}$/.test(c.command)) reject("BOT_COMMAND_INVALID");
    if (typeof c.description !== "string" || c.description.length < 1 || c.description.length > 256) reject("BOT_COMMAND_DESCRIPTION_INVALID");
  }
  const lang = params.language_code;
  if (lang !== undefined && (typeof lang !== "string" || !/^[a-z]{2}$/.test(lang))) reject("language_code is invalid");
}
