import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { timingSafeEqual } from "node:crypto";
import type { Update } from "grammy/types";
import type { Logger } from "../logger.js";
import type { Metrics } from "../observability/metrics.js";
import { describeError } from "../privacy/describe-error.js";
import type { Outcome } from "../run/dispatcher.js";
import type { Health } from "../storage/storage.js";

/** Webhook mode: where Telegram posts, the secret it sends, and how an update is handled. */
export interface WebhookRoute {
  path: string;
  secret: string;
  /** Hands the update to the bot (run/dispatcher.ts). */
  dispatch(update: Update): Promise<Outcome>;
  /** Updates handed over and not done with, those past the budget included. */
  inFlight(): number;
  /** Telegram is answered within this; a slower update gets 503 and is sent again (and then recognised as handled). */
  budgetMs: number;
}

export interface HttpOptions {
  host: string;
  port: number;
  logger: Logger;
  metrics: Metrics;
  /** The storage's health: /healthz answers 503 while it fails. */
  health: () => Promise<Health>;
  webhook?: WebhookRoute;
  /** Updates being handled at once (counted until their work ends, not until their answer); more get 503 and Telegram sends them again later. */
  maxInFlight?: number;
}

/** Telegram's updates are a few kilobytes; anything much larger is not one. */
export const MAX_BODY_BYTES = 1 << 20;

/** A request body that is not an update: refused with its status, never handed to the bot. */
export class BadRequest extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readUpdate(req: IncomingMessage): Promise<Update> {
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (declared > MAX_BODY_BYTES) {
    req.resume();
    throw new BadRequest(413, "too large");
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      req.destroy();
      throw new BadRequest(413, "too large");
    }
    chunks.push(chunk as Buffer);
  }
  let update: unknown;
  try {
    update = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new BadRequest(400, "not JSON");
  }
  if (typeof update !== "object" || update === null || !Number.isSafeInteger((update as { update_id?: unknown }).update_id)) throw new BadRequest(400, "not an update");
  return update as Update;
}

/**
 * The bot's HTTP side: the webhook, /healthz and /metrics. The webhook checks Telegram's secret,
 * reads at most MAX_BODY_BYTES, refuses what is not an update, and answers 200 only once the
 * update is handled and its records committed (or it was set aside), 503 when it failed or took
 * longer than the budget (it goes on, and its redelivery is recognised as handled). While
 * `maxInFlight` updates are being worked on, counting those whose answer was already given up,
 * requests are refused with 503 rather than queued, so a burst cannot exhaust memory.
 */
export class HttpServer {
  private readonly server: Server;
  /** Webhook requests being answered (close waits for them). */
  private requests = 0;
  private drained: (() => void) | undefined;
  private accepting = true;

  constructor(private readonly options: HttpOptions) {
    this.server = createServer((req, res) => void this.route(req, res));
    this.server.keepAliveTimeout = 5_000;
    // Slow senders (a client trickling headers or a body) are cut off instead of held forever.
    this.server.headersTimeout = 10_000;
    this.server.requestTimeout = 30_000;
  }

  listen(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.options.port, this.options.host, () => {
        const address = this.server.address();
        const port = typeof address === "object" && address !== null ? address.port : this.options.port;
        resolve({ host: this.options.host, port });
      });
    });
  }

  /** Stops accepting connections and waits for the updates being handled. */
  async close(): Promise<void> {
    this.accepting = false;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    if (this.requests > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    this.server.closeAllConnections();
    await closed;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?", 1)[0];
    try {
      if (req.method === "GET" && path === "/healthz") return await this.healthz(res);
      if (req.method === "GET" && path === "/metrics") return await this.metrics(res);
      const webhook = this.options.webhook;
      if (webhook !== undefined && path === webhook.path) {
        if (req.method !== "POST") return send(res, 405, "method not allowed\n", { allow: "POST" });
        return await this.update(req, res, webhook);
      }
      send(res, 404, "not found\n");
    } catch (error) {
      this.options.logger.error({ error: describeError(error), path }, "HTTP request failed");
      if (!res.headersSent) send(res, 500, "internal error\n");
    }
  }

  private async healthz(res: ServerResponse): Promise<void> {
    const health = await this.options.health();
    const body = health.ok ? { ok: true, database: "ok" } : { ok: false, database: health.problem };
    send(res, health.ok ? 200 : 503, JSON.stringify(body), { "content-type": "application/json" });
  }

  private async metrics(res: ServerResponse): Promise<void> {
    const registry = this.options.metrics.registry;
    send(res, 200, await registry.metrics(), { "content-type": registry.contentType });
  }

  private async update(req: IncomingMessage, res: ServerResponse, webhook: WebhookRoute): Promise<void> {
    if (!this.accepting) return refuse(req, res, 503, "shutting down\n");
    if (webhook.inFlight() >= (this.options.maxInFlight ?? 100)) return refuse(req, res, 503, "busy\n");
    if (!sameSecret(req.headers["x-telegram-bot-api-secret-token"], webhook.secret)) return refuse(req, res, 401, "unauthorized\n");
    this.requests++;
    try {
      let update: Update;
      try {
        update = await readUpdate(req);
      } catch (error) {
        if (error instanceof BadRequest) return refuse(req, res, error.status, `${error.message}\n`);
        throw error;
      }
      const outcome = await withinBudget(webhook.dispatch(update), webhook.budgetMs);
      if (outcome === "done" || outcome === "set-aside") return send(res, 200, "");
      if (outcome === "late") this.options.logger.warn({ update_id: update.update_id }, "update took longer than the webhook's time budget; Telegram will send it again");
      send(res, 503, "try again\n", { "retry-after": "1" });
    } finally {
      this.requests--;
      if (this.requests === 0) this.drained?.();
    }
  }
}

/** The outcome, or "late" when the budget runs out first (the update goes on). */
function withinBudget(outcome: Promise<Outcome>, budgetMs: number): Promise<Outcome | "late"> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve("late"), budgetMs);
    void outcome.then((o) => {
      clearTimeout(timer);
      resolve(o);
    });
  });
}

/** Telegram's secret header, compared in constant time. */
function sameSecret(header: string | string[] | undefined, secret: string): boolean {
  const given = Buffer.from(Array.isArray(header) ? (header[0] ?? "") : (header ?? ""));
  const expected = Buffer.from(secret);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function refuse(req: IncomingMessage, res: ServerResponse, status: number, body: string): void {
  req.resume();
  send(res, status, body, status === 503 ? { "retry-after": "5" } : {});
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers });
  res.end(body);
}
