import { Agent as HttpAgent, type Agent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { Readable } from "node:stream";
import type { Logger } from "../logger.js";
import type { Metrics } from "../observability/metrics.js";

export interface ClientPolicy {
  /** Every call but the long poll and uploads is given up after this long. */
  callTimeoutMs: number;
  /** Uploads (the offline guide) get this long. */
  uploadTimeoutMs: number;
  /** A long poll may take its own timeout plus a third of it, and at least this much more. */
  pollGraceMs: number;
  /** Tries after the first, for a call that failed on the network, with 429 or with 5xx. */
  retries: number;
  /** Back-off after a network error or 5xx: this long first, doubling up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
  /** A 429 asking to wait longer than this is not retried: the caller learns of it at once. */
  maxRetryAfterMs: number;
}

export const DEFAULT_POLICY: ClientPolicy = {
  callTimeoutMs: 15_000,
  uploadTimeoutMs: 60_000,
  pollGraceMs: 2_000,
  retries: 3,
  backoffMs: 500,
  maxBackoffMs: 8_000,
  maxRetryAfterMs: 30_000,
};

export interface ClientOptions {
  /** The transport in tests: the in-process Bot API's fetch. Otherwise node:http with keep-alive. */
  fetch?: typeof fetch;
  metrics: Metrics;
  logger: Logger;
  policy?: Partial<ClientPolicy>;
  /** Shutdown: a call waiting to be retried gives up at once. */
  stopping?: AbortSignal;
}

/** What the Bot API answered: the status and the body, read whole. */
interface Answer {
  status: number;
  text: string;
}

/** The request grammY builds: a JSON string, or a stream for uploads; `agent` from its node config. */
type CallInit = RequestInit & { agent?: Agent };

/** Anything with an abort event: grammY hands over its own AbortSignal shim. */
interface SignalLike {
  readonly aborted: boolean;
  addEventListener(type: "abort", listener: () => void): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

/** One HTTP exchange, given up after `timeoutMs` or when the caller aborts. */
type Transport = (url: string, init: CallInit, timeoutMs: number, caller: SignalLike | undefined) => Promise<Answer>;

/** Marks a failure that happened before the request could reach the Bot API (refused, no route, no name, a keep-alive socket the server had closed). */
const NOT_SENT = Symbol("not sent");

/**
 * Calls that put something new in a chat. One that failed after it may have reached Telegram (a
 * timeout, a reset) is not sent again: the user would see the message twice, which is worse than
 * seeing it late or not at all. Edits, deletions and answers are safe to repeat.
 */
const isSending = (method: string) => method.startsWith("send") || method.startsWith("copy") || method.startsWith("forward");

/**
 * How the bot talks to the Bot API, as a `fetch` for grammY's client. It sits below every `Api`
 * object, the guided conversation's own included (the conversations plugin copies the client
 * options but not transformers), and below the conversation's replay log, so a retried call is
 * recorded once, as its outcome, and never retried or waited for again on replay.
 *
 * Every call has a deadline, and the caller's signal (an update's budget, see
 * bot/middleware/unit-of-work.ts) ends it and every wait between its tries; shutdown ends the
 * waits too. 429 is retried after Telegram's retry_after, network errors and 5xx after a capped
 * back-off; a message that may have been delivered is not sent again (`isSending`). The long
 * poll is the poller's to retry. Failures are counted by method and code (network failures as
 * "network"), and while the Bot API cannot be reached a warning is logged, then once a minute,
 * and its return is logged too.
 *
 * The transport is node:http with grammY's keep-alive agent rather than the platform's fetch:
 * measured with `npm run bench`, the platform's fetch (undici, web streams) took about a third of
 * the bot's CPU time per update.
 */
export function resilientFetch(options: ClientOptions): typeof fetch {
  const transport: Transport = options.fetch === undefined ? httpTransport : fetchTransport(options.fetch);
  const policy = { ...DEFAULT_POLICY, ...options.policy };
  const stopping = options.stopping;
  let unreachableSince: number | undefined;
  let lastWarning = 0;

  const unreachable = (method: string, error: unknown) => {
    options.metrics.apiErrors.inc({ method, code: "network" });
    const now = Date.now();
    unreachableSince ??= now;
    if (now - lastWarning >= 60_000) {
      lastWarning = now;
      options.logger.warn({ method, since: new Date(unreachableSince).toISOString(), reason: reason(error) }, "the Telegram Bot API cannot be reached; retrying");
    }
  };
  const reachable = () => {
    if (unreachableSince === undefined) return;
    options.logger.info({ after_ms: Date.now() - unreachableSince }, "the Telegram Bot API answers again");
    unreachableSince = undefined;
    lastWarning = 0;
  };

  return (async (input: string | URL | Request, init: CallInit = {}): Promise<Response> => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const method = url.slice(url.lastIndexOf("/") + 1);
    const body = init.body;
    const upload = body !== undefined && body !== null && typeof body !== "string";
    const poll = method === "getUpdates" ? pollTimeoutMs(body) : 0;
    const timeout = method === "getUpdates" ? poll + Math.max(policy.pollGraceMs, poll / 3) : upload ? policy.uploadTimeoutMs : policy.callTimeoutMs;
    // A body that is a stream (an upload) cannot be sent twice.
    const tries = method === "getUpdates" || upload ? 1 : 1 + policy.retries;
    const caller = (init.signal ?? undefined) as SignalLike | undefined;
    for (let attempt = 1; ; attempt++) {
      let answer: Answer;
      try {
        answer = await transport(url, init, timeout, caller);
      } catch (error) {
        // The caller gave up (its budget ran out, shutdown): not the Bot API's fault.
        if (caller?.aborted === true) throw error;
        unreachable(method, error);
        const sent = (error as { [NOT_SENT]?: boolean })[NOT_SENT] !== true;
        if (attempt >= tries || (sent && isSending(method))) throw error;
        await pause(backoff(attempt, policy), caller, stopping, error);
        continue;
      }
      reachable();
      if (answer.status < 400) return asResponse(answer);
      const failure = errorOf(answer);
      options.metrics.apiErrors.inc({ method, code: String(failure.code) });
      if (attempt >= tries) return asResponse(answer);
      if (failure.code === 429) {
        const wait = (failure.retryAfter ?? 1) * 1000;
        if (wait > policy.maxRetryAfterMs) return asResponse(answer);
        if (!(await pause(wait, caller, stopping))) return asResponse(answer);
      } else if (failure.code >= 500) {
        if (!(await pause(backoff(attempt, policy), caller, stopping))) return asResponse(answer);
      } else {
        return asResponse(answer);
      }
    }
  }) as typeof fetch;
}

/**
 * Waits `ms` before a retry. Resolves true when the time is up; when the caller aborts, or the bot
 * is stopping, resolves false at once, or rejects with `failure` when there is one to report.
 */
function pause(ms: number, caller: SignalLike | undefined, stopping: AbortSignal | undefined, failure?: unknown): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const signals = [caller, stopping].filter((s): s is SignalLike => s !== undefined);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      for (const s of signals) s.removeEventListener("abort", cut);
      if (ok || failure === undefined) resolve(ok);
      else reject(failure);
    };
    const cut = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    for (const s of signals) s.addEventListener("abort", cut);
    if (signals.some((s) => s.aborted)) cut();
  });
}

/** grammY reads only `json()` of what its fetch returns. */
function asResponse(answer: Answer): Response {
  return { status: answer.status, ok: answer.status < 400, json: async () => JSON.parse(answer.text) as unknown, text: async () => answer.text } as Response;
}

const NEVER_CONNECTED = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH"]);

const fallbackAgents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

/**
 * Deadlines by timer and the caller's abort event rather than AbortSignal.timeout/any: platform
 * signals cost a few percent of the CPU per update, and this is every Bot API call.
 */
const httpTransport: Transport = (url, init, timeoutMs, caller) =>
  new Promise<Answer>((resolve, reject) => {
    const https = url.startsWith("https:");
    const agent = init.agent ?? (https ? fallbackAgents.https : fallbackAgents.http);
    // grammY sends a plain object; anything else goes through Headers.
    const given = init.headers ?? {};
    const headers = given.constructor === Object ? (given as Record<string, string>) : Object.fromEntries(new Headers(given).entries());
    const req = (https ? httpsRequest : httpRequest)(url, { method: init.method ?? "POST", headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        settle();
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") });
      });
      res.on("error", fail);
    });
    const timer = setTimeout(() => req.destroy(new DOMException(`no answer within ${timeoutMs} ms`, "TimeoutError")), timeoutMs);
    const aborted = () => req.destroy(new DOMException("the caller gave up", "AbortError"));
    caller?.addEventListener("abort", aborted);
    function settle() {
      clearTimeout(timer);
      caller?.removeEventListener("abort", aborted);
    }
    function fail(error: Error) {
      settle();
      const code = (error as { code?: string }).code;
      // Refused, unroutable or unresolvable: nothing left the machine. A reset on a keep-alive
      // socket before any answer: the server had closed it while idle, before reading the request.
      if (NEVER_CONNECTED.has(code ?? "") || (req.reusedSocket && code === "ECONNRESET" && !answered)) Object.assign(error, { [NOT_SENT]: true });
      reject(error);
    }
    let answered = false;
    req.on("response", () => (answered = true));
    req.on("error", fail);
    if (caller?.aborted === true) return aborted();
    const body = init.body;
    if (body === undefined || body === null || typeof body === "string") req.end(body ?? undefined);
    else Readable.from(body as unknown as AsyncIterable<Uint8Array>).on("error", (e) => req.destroy(e)).pipe(req);
  });

/** The in-process Bot API's fetch (tests), with the same deadline. */
function fetchTransport(transport: typeof fetch): Transport {
  return async (url, init, timeoutMs, caller) => {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const aborted = () => controller.abort();
    caller?.addEventListener("abort", aborted);
    if (caller?.aborted === true) controller.abort();
    try {
      const response = await transport(url, { ...init, signal: controller.signal });
      return { status: response.status, text: await response.text() };
    } catch (error) {
      throw timedOut ? new DOMException(`no answer within ${timeoutMs} ms`, "TimeoutError") : error;
    } finally {
      clearTimeout(timer);
      caller?.removeEventListener("abort", aborted);
    }
  };
}

function pollTimeoutMs(body: unknown): number {
  if (typeof body !== "string") return 0;
  try {
    return Math.max(0, Number((JSON.parse(body) as { timeout?: unknown }).timeout ?? 0)) * 1000;
  } catch {
    return 0;
  }
}

function backoff(attempt: number, policy: ClientPolicy): number {
  return Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** (attempt - 1));
}

/** The error code and retry_after of a failed call. */
function errorOf(answer: Answer): { code: number; retryAfter?: number } {
  try {
    const json = JSON.parse(answer.text) as { error_code?: number; parameters?: { retry_after?: number } };
    return { code: json.error_code ?? answer.status, ...(json.parameters?.retry_after === undefined ? {} : { retryAfter: json.parameters.retry_after }) };
  } catch {
    // Not JSON (a proxy's error page): the HTTP status is all there is.
    return { code: answer.status };
  }
}

function reason(error: unknown): string {
  if (!(error instanceof Error)) return "unknown";
  if (error.name === "TimeoutError") return "timed out";
  return (error as { code?: string }).code ?? (error.cause as { code?: string } | undefined)?.code ?? error.name;
}
