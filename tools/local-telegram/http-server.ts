import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Update } from "grammy/types";
import { type LocalTelegram, parseMultipart } from "./emulator.js";
import { SimulatedUser } from "./user.js";

/**
 * The local Bot API over HTTP, so a bot started with `npm start` and TELEGRAM_API_ROOT pointing
 * here talks to it exactly as to Telegram: long polling, webhooks (delivered to a local
 * address), uploads. A small control API lets a person or a test act as users from outside:
 *
 *   POST /control/users/<id>/send    {"text": "/start", "language_code": "ru"}
 *   POST /control/users/<id>/press   {"label": "Topics"}  or  {"data": "tl"}
 *   POST /control/users/<id>/inline  {"query": "bond"}
 *   GET  /control/users/<id>/messages
 *   POST /control/updates            a raw Update (update_id is filled in when absent)
 *   GET  /control/state              webhook, pending updates, calls, updates handed out by getUpdates, rejections
 *   GET  /control/rejected           every call Telegram would have refused
 */
export interface LocalTelegramServerOptions {
  token: string;
  /** Where webhooks are really delivered: Telegram wants https, a local bot listens on http. */
  webhookBase?: string;
}

export class LocalTelegramServer {
  private readonly server: Server;
  private readonly users = new Map<number, SimulatedUser>();
  private webhookBase: string | undefined;
  private down = false;

  constructor(
    readonly tg: LocalTelegram,
    private readonly options: LocalTelegramServerOptions,
  ) {
    this.server = createServer((req, res) => void this.route(req, res));
    // An outage: connections are reset as they come, while the port stays this server's.
    this.server.on("connection", (socket) => {
      if (this.down) return socket.destroy();
      this.connections++;
      socket.once("close", () => this.connections--);
    });
    if (options.webhookBase !== undefined) this.deliverWebhooksTo(options.webhookBase);
  }

  /** Where webhooks are delivered from now on (a bot started with PORT=0 says where it listens only once it runs). */
  deliverWebhooksTo(base: string): void {
    this.webhookBase = base;
    this.tg.webhookDelivery = (update) => this.deliverWebhook(update);
  }

  /** While down, every connection is reset at once, open ones included: the Bot API cannot be reached. */
  setDown(down: boolean): void {
    this.down = down;
    if (down) this.server.closeAllConnections();
  }

  async listen(port = 0, host = "127.0.0.1"): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(port, host, resolve));
    const address = this.server.address();
    return `http://${host}:${typeof address === "object" && address !== null ? address.port : port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  user(id: number, profile: { language_code?: string; first_name?: string; username?: string } = {}): SimulatedUser {
    let user = this.users.get(id);
    if (user === undefined) {
      user = new SimulatedUser(this.tg, { id, first_name: profile.first_name ?? "Local", language_code: profile.language_code ?? "en", ...(profile.username ? { username: profile.username } : {}) });
      this.users.set(id, user);
    }
    return user;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://local");
    try {
      const api = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
      if (api !== null) return await this.api(req, res, api[1]!, api[2]!, url);
      if (url.pathname.startsWith("/control/")) return await this.control(req, res, url);
      json(res, 404, { ok: false, error_code: 404, description: "Not Found" });
    } catch (error) {
      json(res, 500, { ok: false, error_code: 500, description: `local Bot API failure: ${(error as Error).message}` });
    }
  }

  /**
   * Whether nothing is connected and no request is being handled: once a bot is killed, all it
   * sent has been read (bytes come before the close that follows them) and settled.
   */
  get idle(): boolean {
    return this.connections === 0 && this.inFlight === 0;
  }
  private connections = 0;
  private inFlight = 0;

  private async api(req: IncomingMessage, res: ServerResponse, token: string, method: string, url: URL): Promise<void> {
    this.inFlight++;
    try {
      await this.apiCall(req, res, token, method, url);
    } finally {
      this.inFlight--;
    }
  }

  private async apiCall(req: IncomingMessage, res: ServerResponse, token: string, method: string, url: URL): Promise<void> {
    if (token !== this.options.token) return json(res, 401, { ok: false, error_code: 401, description: "Unauthorized" });
    // A caller that goes away (a killed bot) changes nothing, even while its request is being read:
    // the close is watched from the start, or a dead process's reply could still take effect.
    const controller = new AbortController();
    // Only a close before the answer went out is a caller going away; aborting after every
    // answer built a DOMException, with its stack, per call (7% of the bench stand-in's CPU).
    res.on("close", () => {
      if (!res.writableFinished) controller.abort();
    });
    const body = await readAll(req);
    if (controller.signal.aborted || req.socket.destroyed) return;
    const type = req.headers["content-type"] ?? "";
    let params: Record<string, unknown> = Object.fromEntries(url.searchParams);
    if (type.includes("application/json") && body.length > 0) params = { ...params, ...(JSON.parse(body.toString("utf8")) as Record<string, unknown>) };
    else if (type.includes("multipart/form-data")) params = { ...params, ...parseMultipart(body, type) };
    const result = await this.tg.call(method, params, controller.signal);
    if (!res.destroyed) json(res, result.ok ? 200 : result.error_code, result);
  }

  private async control(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const body = req.method === "POST" ? ((JSON.parse((await readAll(req)).toString("utf8") || "{}") as Record<string, unknown>)) : {};
    const userPath = /^\/control\/users\/(\d+)\/(send|press|inline|messages)$/.exec(url.pathname);
    if (userPath !== null) {
      const user = this.user(Number(userPath[1]), body as { language_code?: string });
      switch (userPath[2]) {
        case "send":
          void user.send(String(body.text ?? ""));
          return json(res, 200, { ok: true });
        case "press":
          void (typeof body.data === "string" ? user.pressData(body.data) : user.press(String(body.label ?? "")));
          return json(res, 200, { ok: true });
        case "inline":
          return json(res, 200, { ok: true, results: await user.inline(String(body.query ?? "")) });
        case "messages":
          return json(res, 200, { ok: true, messages: this.tg.visible(user.chatId).map(({ document, ...m }) => ({ ...m, ...(document ? { document: { file_name: document.file_name, size: document.size } } : {}) })) });
      }
    }
    if (url.pathname === "/control/updates" && req.method === "POST") {
      const update = { update_id: this.tg.nextUpdateId(), ...body } as unknown as Update;
      void this.tg.push(update);
      return json(res, 200, { ok: true, update_id: update.update_id });
    }
    if (url.pathname === "/control/state") {
      return json(res, 200, {
        ok: true,
        webhook: this.tg.webhook ?? null,
        pending: this.tg.pendingUpdates().length,
        calls: this.tg.callCount,
        handedOut: this.tg.handedOut,
        rejected: this.tg.rejected.length,
        commands: Object.fromEntries(this.tg.commands),
      });
    }
    if (url.pathname === "/control/rejected") return json(res, 200, { ok: true, rejected: this.tg.rejected });
    json(res, 404, { ok: false, description: "unknown control path" });
  }

  /** Posts an update to the registered webhook, as Telegram does, with its secret header. */
  private async deliverWebhook(update: Update): Promise<number> {
    const hook = this.tg.webhook!;
    const target = new URL(new URL(hook.url).pathname, this.webhookBase);
    const response = await fetch(target, {
      method: "POST",
      headers: { "content-type": "application/json", ...(hook.secret_token === undefined ? {} : { "x-telegram-bot-api-secret-token": hook.secret_token }) },
      body: JSON.stringify(update),
    });
    await response.arrayBuffer();
    return response.status;
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
