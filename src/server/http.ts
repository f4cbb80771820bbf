import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Update } from "grammy/types";
import type { Logger } from "../logger.js";
import type { Metrics } from "../observability/metrics.js";
import { describeError } from "../privacy/describe-error.js";
import type { Health } from "../storage/storage.js";

/** grammY's webhook handler for Node's http, built with `webhookCallback(bot, adapter, …)`. */
export type WebhookHandler = (req: IncomingMessage, res: ServerResponse) => Promise<unknown>;

export interface HttpOptions {
  host: string;
  port: number;
  logger: Logger;
  metrics: Metrics;
  /** The storage's health: /healthz answers 503 while it fails. */
  health: () => Promise<Health>;
  /** Webhook mode: the path Telegram posts to, and grammY's handler for it. */
  webhook?: { path: string; handler: WebhookHandler };
  /** Webhook requests handled at once; more get 503 and Telegram sends them again later. */
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

/**
 * An adapter for grammY's `webhookCallback` on Node's http that reads at most MAX_BODY_BYTES and
 * refuses what is not an update (grammY's own reads any size and passes anything on).
 */
export function boundedHttpAdapter(req: IncomingMessage, res: ServerResponse) {
  const secret = req.headers["x-telegram-bot-api-secret-token"];
  return {
    get update(): Promise<Update> {
      return readUpdate(req);
    },
    header: Array.isArray(secret) ? secret[0] : secret,
    end: () => void res.writeHead(200).end(),
    respond: (json: string) => void res.writeHead(200, { "content-type": "application/json" }).end(json),
    unauthorized: () => void res.writeHead(401, { "content-type": "text/plain; charset=utf-8" }).end("unauthorized\n"),
  };
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
 * The bot's HTTP side: a small router in front of grammY's webhook handler (which checks
 * Telegram's secret, handles the update within its time budget, and answers 200 only once the
 * update is handled and its records committed), plus /healthz and /metrics. Requests beyond
 * `maxInFlight` are refused with 503 rather than queued, so a burst cannot exhaust memory.
 */
export class HttpServer {
  private readonly server: Server;
  private inFlight = 0;
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
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.drained = resolve));
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
        return await this.update(req, res, webhook.handler);
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

  private async update(req: IncomingMessage, res: ServerResponse, handler: WebhookHandler): Promise<void> {
    if (!this.accepting) return refuse(req, res, 503, "shutting down\n");
    if (this.inFlight >= (this.options.maxInFlight ?? 100)) return refuse(req, res, 503, "busy\n");
    this.inFlight++;
    try {
      await handler(req, res);
    } catch (error) {
      if (res.headersSent) return;
      if (error instanceof BadRequest) return refuse(req, res, error.status, `${error.message}\n`);
      // Over the time budget, or its records could not be committed: not handled, so Telegram sends it again.
      const timedOut = error instanceof Error && /timed out/i.test(error.message);
      this.options.logger.warn({ error: describeError(error) }, timedOut ? "update took longer than the webhook's time budget; Telegram will send it again" : "update not handled; Telegram will send it again");
      send(res, 503, "try again\n", { "retry-after": "1" });
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) this.drained?.();
    }
  }
}

function refuse(req: IncomingMessage, res: ServerResponse, status: number, body: string): void {
  req.resume();
  send(res, status, body, status === 503 ? { "retry-after": "5" } : {});
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers });
  res.end(body);
}
