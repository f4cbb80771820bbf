import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Update } from "grammy/types";
import type { Logger } from "../logger.js";
import type { Metrics } from "../observability/metrics.js";
import { describeError } from "../privacy/describe-error.js";

export interface HttpOptions {
  host: string;
  port: number;
  logger: Logger;
  metrics: Metrics;
  /** Whether the database answers; /healthz reports it. */
  healthy: () => boolean;
  /** Webhook mode: the update path and Telegram's secret token. */
  webhook?: { path: string; secret: string; handle: (update: Update) => Promise<void> };
}

const MAX_BODY_BYTES = 1 << 20;

/**
 * The bot's HTTP side: the Telegram webhook (webhook mode), /healthz and /metrics. Updates are
 * answered once handled, so a crash before that makes Telegram deliver them again.
 */
export class HttpServer {
  private readonly server: Server;
  private inFlight = 0;
  private drained: (() => void) | undefined;
  private accepting = true;

  constructor(private readonly options: HttpOptions) {
    this.server = createServer((req, res) => void this.route(req, res));
    this.server.keepAliveTimeout = 5_000;
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

  /** Stops accepting connections and waits for updates being handled. */
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
      if (req.method === "GET" && path === "/healthz") return this.healthz(res);
      if (req.method === "GET" && path === "/metrics") return await this.metrics(res);
      const webhook = this.options.webhook;
      if (webhook !== undefined && path === webhook.path) {
        if (req.method !== "POST") return send(res, 405, "method not allowed\n", { allow: "POST" });
        return await this.update(req, res, webhook);
      }
      send(res, 404, "not found\n");
    } catch (error) {
      this.options.logger.error({ err: describeError(error), path }, "HTTP request failed");
      if (!res.headersSent) send(res, 500, "internal error\n");
    }
  }

  private healthz(res: ServerResponse): void {
    const ok = this.options.healthy();
    send(res, ok ? 200 : 503, JSON.stringify({ ok, database: ok ? "reachable" : "unreachable" }), { "content-type": "application/json" });
  }

  private async metrics(res: ServerResponse): Promise<void> {
    const registry = this.options.metrics.registry;
    send(res, 200, await registry.metrics(), { "content-type": registry.contentType });
  }

  private async update(req: IncomingMessage, res: ServerResponse, webhook: NonNullable<HttpOptions["webhook"]>): Promise<void> {
    if (!secretMatches(req.headers["x-telegram-bot-api-secret-token"], webhook.secret)) {
      req.resume();
      return send(res, 401, "unauthorized\n");
    }
    if (!this.accepting) return send(res, 503, "shutting down\n", { "retry-after": "5" });
    const body = await readBody(req);
    if (body === undefined) return send(res, 413, "too large\n");
    let update: Update;
    try {
      update = JSON.parse(body) as Update;
    } catch {
      return send(res, 400, "bad json\n");
    }
    if (typeof update !== "object" || update === null || typeof update.update_id !== "number") return send(res, 400, "not an update\n");
    this.inFlight++;
    try {
      await webhook.handle(update);
      send(res, 200, "");
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) this.drained?.();
    }
  }
}

function secretMatches(header: string | string[] | undefined, secret: string): boolean {
  if (typeof header !== "string") return false;
  const a = Buffer.from(header);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The body, or undefined when over the limit; a little more is read and dropped so the client sees the 413. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 8 * MAX_BODY_BYTES) {
      req.destroy();
      return undefined;
    }
    if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  return size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers });
  res.end(body);
}
