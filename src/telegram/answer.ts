import type { Logger } from "../logger.js";

/**
 * An HTTP answer that is not the Bot API's: not JSON (a proxy's error page), or JSON without the
 * Bot API's envelope (`ok`, and `error_code` when not ok). grammY would read such a body as a
 * failed call with code and description "undefined"; this says what came instead.
 */
export class NotBotApiAnswer extends Error {
  constructor(
    readonly method: string,
    readonly status: number,
    /** The first line of the body, cut short, with ids and tokens removed: safe to log. */
    readonly excerpt: string,
  ) {
    super(`HTTP ${status}, not a Bot API answer${excerpt === "" ? "" : `: ${excerpt}`}`);
    this.name = "NotBotApiAnswer";
  }
}

/**
 * Wraps the Bot API transport so that what grammY reads (`json()`) is always the Bot API's
 * envelope, or a NotBotApiAnswer, which grammY passes on inside its HttpError. getMe at
 * start-up (grammY's init) and getUpdates (the poller) are retried without end and without a
 * word, so for those what came is logged here as a warning, at most once a minute: a
 * TELEGRAM_API_ROOT that points at a web page says so. Other callers log their own failures.
 */
const SILENTLY_RETRIED = new Set(["getMe", "getUpdates"]);

export function botApiAnswers(transport: typeof fetch, logger?: Logger): typeof fetch {
  let lastWarning = 0;
  return (async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const response = await transport(input, init);
    const status = response.status;
    const method = url.slice(url.lastIndexOf("/") + 1);
    return {
      status,
      ok: response.ok,
      text: () => response.text(),
      json: async () => {
        try {
          return envelope(method, status, await response.text());
        } catch (error) {
          if (error instanceof NotBotApiAnswer && SILENTLY_RETRIED.has(method) && logger !== undefined && Date.now() - lastWarning >= 60_000) {
            lastWarning = Date.now();
            logger.warn({ method, code: status, answer: error.message }, "the Bot API's address answered with something that is not a Bot API answer");
          }
          throw error;
        }
      },
    } as Response;
  }) as typeof fetch;
}

function envelope(method: string, status: number, text: string): unknown {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new NotBotApiAnswer(method, status, safeExcerpt(text));
  }
  const answer = body as { ok?: unknown; error_code?: unknown } | null;
  const isEnvelope = typeof answer === "object" && answer !== null && (answer.ok === true || (answer.ok === false && typeof answer.error_code === "number"));
  if (!isEnvelope) throw new NotBotApiAnswer(method, status, safeExcerpt(text));
  return body;
}

/**
 * The first line of a body that came instead of the Bot API's answer, as a person would read it:
 * markup dropped, at most 160 characters, and anything that may identify someone or something
 * secret replaced (a bot token, any run of 5 or more digits: ids). The request's payload is never
 * in it: only what the server said.
 */
export function safeExcerpt(body: string): string {
  const line =
    body
      .replace(/<[^>]*>/g, "\n")
      .split(/\r?\n/)
      .map((l) => l.replace(/\s+/g, " ").trim())
      .find((l) => l !== "") ?? "";
  const cleaned = line
    .replace(/\d+:[A-Za-z0-9_-]{20,}/g, "«token»")
    .replace(/\d{5,}/g, "#")
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, "");
  return cleaned.length > 160 ? `${cleaned.slice(0, 159)}…` : cleaned;
}
