import { GrammyError, HttpError } from "grammy";
import { NotBotApiAnswer } from "../telegram/answer.js";

export interface SafeError {
  type: string;
  message: string;
  method?: string;
  code?: number;
  stack?: string;
}

/**
 * An error as it may be logged. Bot API errors carry the request payload (chat ids, message
 * texts), and other messages may quote input, so only the method, code and Telegram's own
 * description survive, plus a stack trace with its message line removed. Where the Bot API's
 * address answered with something else, the HTTP status and a safe excerpt of what it said
 * (telegram/answer.ts); where nothing came, why (refused, timed out...). Never "undefined".
 */
export function describeError(error: unknown): SafeError {
  if (error instanceof GrammyError) {
    const description = typeof error.description === "string" && error.description.trim() !== "" ? error.description : "no description given";
    return { type: "GrammyError", method: error.method, ...(typeof error.error_code === "number" ? { code: error.error_code } : {}), message: description };
  }
  if (error instanceof HttpError) {
    const cause = error.error;
    if (cause instanceof NotBotApiAnswer) return { type: "HttpError", method: cause.method, code: cause.status, message: cause.message };
    const method = /'([A-Za-z]+)'/.exec(error.message)?.[1];
    return { type: "HttpError", ...(method === undefined ? {} : { method }), message: `network error while calling the Bot API (${networkReason(cause)})`, ...stackOf(cause) };
  }
  if (error instanceof Error) {
    return { type: error.name, message: redact(error.message), ...stackOf(error) };
  }
  return { type: typeof error, message: "non-error value thrown" };
}

/** Why no answer came, as a code or error name, never the error's message (it may quote a request). */
function networkReason(error: unknown): string {
  if (!(error instanceof Error)) return "unknown";
  if (error.name === "TimeoutError") return "timed out";
  if (error.name === "AbortError") return "aborted";
  const code = (error as { code?: unknown }).code ?? (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code === "string" && /^[A-Z_]+$/.test(code) ? code : error.name;
}

function stackOf(error: unknown): { stack?: string } {
  if (!(error instanceof Error) || error.stack === undefined) return {};
  const frames = error.stack.split("\n").filter((line) => line.trimStart().startsWith("at "));
  return { stack: frames.slice(0, 8).join("\n") };
}

/** Keeps an error message's shape but drops anything quoted and any long digit run (ids). */
function redact(message: string): string {
  return message
    .replace(/"[^"]*"|'[^']*'|`[^`]*`/g, "«…»")
    .replace(/\d{5,}/g, "#")
    .slice(0, 200);
}
