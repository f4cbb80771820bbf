import { GrammyError, HttpError } from "grammy";

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
 * description survive, plus a stack trace with its message line removed.
 */
export function describeError(error: unknown): SafeError {
  if (error instanceof GrammyError) {
    return { type: "GrammyError", method: error.method, code: error.error_code, message: error.description };
  }
  if (error instanceof HttpError) {
    return { type: "HttpError", message: "network error while calling the Bot API", ...stackOf(error.error) };
  }
  if (error instanceof Error) {
    return { type: error.name, message: redact(error.message), ...stackOf(error) };
  }
  return { type: typeof error, message: "non-error value thrown" };
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
