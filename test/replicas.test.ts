import { request } from "node:http";
import type { Update } from "grammy/types";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { createAnonymizer } from "../src/privacy/anon-key.js";
import { LocalTelegram } from "../tools/local-telegram/emulator.js";
import { LocalTelegramServer } from "../tools/local-telegram/http-server.js";
import type { SimulatedUser } from "../tools/local-telegram/user.js";
import { NO_POSTGRES, POSTGRES_URL, postgresFor } from "./support/postgres.js";
import { type BotProcess, httpAddress, startBotProcess, waitFor } from "./support/process.js";

/**
 * Several bot processes (`node dist/src/main.js`) in webhook mode behind a round-robin balancer,
 * sharing one PostgreSQL database, as the scale-out deployment runs them. Updates of the same
 * chats land on different replicas; what a chat's session holds is read back from the database
 * and compared with what the user saw.
 */

const TOKEN = "123456:replica-test-token";
const SECRET = "replica-test-anon-secret-0123456789abcdef";
const HOOK_SECRET = "replica_hook_secret";
let bots: BotProcess[] = [];
let server: LocalTelegramServer | undefined;

afterEach(async () => {
  for (const b of bots) if (b.child.exitCode === null && b.child.signalCode === null) await b.stop("SIGKILL");
  await server?.close();
  bots = [];
  server = undefined;
});

/** Posts an update to one replica, as Telegram does; 0 when the replica is gone. */
function post(port: number, update: Update): Promise<number> {
  return new Promise((resolve) => {
    const body = JSON.stringify(update);
    const req = request({ host: "127.0.0.1", port, path: "/telegram", method: "POST", headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), "x-telegram-bot-api-secret-token": HOOK_SECRET } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", () => resolve(0));
    req.end(body);
  });
}

async function deployment(replicas: number) {
  const tg = new LocalTelegram();
  server = new LocalTelegramServer(tg, { token: TOKEN });
  const apiRoot = await server.listen();
  const databaseUrl = await postgresFor();
  const replicaBots: BotProcess[] = [];
  for (let i = 0; i < replicas; i++) {
    const bot = startBotProcess({
      BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: apiRoot,
      DATABASE_URL: databaseUrl,
      ANON_SECRET: SECRET,
      WEBHOOK_URL: "https://bot.example.org/telegram",
      WEBHOOK_SECRET: HOOK_SECRET,
      PORT: "0",
      HOST: "127.0.0.1",
      RATE_LIMIT_PER_MINUTE: "1000",
    });
    bots.push(bot);
    replicaBots.push(bot);
  }
  // Each replica listens where the system put it (PORT=0) and says so once it runs.
  const ports = await Promise.all(replicaBots.map(async (bot) => Number(new URL(await httpAddress(bot)).port)));
  const alive = new Set(ports);
  const acknowledged = new Set<number>();
  let next = 0;
  // The balancer: replicas in turn; a delivery that fails is retried on the next one, as Telegram redelivers.
  tg.webhookDelivery = async (update) => {
    for (;;) {
      const port = ports[next++ % ports.length]!;
      if (!alive.has(port)) continue;
      const status = await post(port, update);
      if (status === 200) {
        acknowledged.add(update.update_id);
        return status;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  // Set by setWebhook from whichever replica ran the once-per-deployment job.
  await waitFor(() => tg.webhook !== undefined, "the webhook to be registered");
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const anonymize = createAnonymizer(SECRET);
  return {
    tg,
    ports,
    alive,
    acknowledged,
    /** The message ids the chat's stored session remembers, in the order they were added. */
    async remembered(user: SimulatedUser): Promise<number[]> {
      const row = await db.query<{ value: string }>("select value from records where key = $1", [`s:${anonymize(user.chatId)}`]);
      const session = JSON.parse(row.rows[0]?.value ?? "{}") as { recent?: [number, number][] };
      return (session.recent ?? []).map(([id]) => id);
    },
    close: () => db.end(),
  };
}

describe.skipIf(POSTGRES_URL === undefined)(`three webhook replicas on one PostgreSQL${NO_POSTGRES}`, () => {
  it("updates of the same chats spread round-robin: no session write is lost or applied out of order; /healthz on each replica", { timeout: 120_000 }, async () => {
    const d = await deployment(3);
    const users = Array.from({ length: 12 }, (_, i) => server!.user(6_100_000 + i));
    // One after another per chat, each on the next replica, twelve chats at once.
    await Promise.all(
      users.map(async (u) => {
        for (let i = 0; i < 9; i++) await u.send("/help");
      }),
    );
    for (const u of users) {
      const seen = d.tg.visible(u.chatId).map((m) => m.message_id);
      expect(seen).toHaveLength(18);
      expect(await d.remembered(u)).toEqual(seen);
    }
    // Now each chat's updates at the same moment, on different replicas: they take turns on the chat's lock.
    await Promise.all(users.map((u) => Promise.all(Array.from({ length: 6 }, () => u.send("/help")))));
    for (const u of users) {
      const seen = d.tg.visible(u.chatId).map((m) => m.message_id);
      expect(seen).toHaveLength(30);
      expect([...(await d.remembered(u))].sort((a, b) => a - b)).toEqual(seen);
    }
    for (const port of d.ports) expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).toEqual({ ok: true, database: "ok" });
    // Registration ran once for the deployment, not once per replica.
    expect(d.tg.calls.filter((c) => c.method === "setWebhook")).toHaveLength(1);
    expect(d.tg.calls.filter((c) => c.method === "setMyCommands").length).toBeLessThanOrEqual(5);
    expect(d.tg.rejected).toEqual([]);
    await d.close();
  });

  it("SIGKILL of one replica mid-load loses nothing that was acknowledged", { timeout: 120_000 }, async () => {
    const d = await deployment(3);
    const users = Array.from({ length: 10 }, (_, i) => server!.user(6_200_000 + i));
    const sends = new Map<number, { update: number; message: number }[]>();
    d.tg.delays.set("sendMessage", 20);
    const push = d.tg.push.bind(d.tg);
    d.tg.push = (update) => {
      const m = update.message;
      if (m !== undefined) sends.set(m.chat.id, [...(sends.get(m.chat.id) ?? []), { update: update.update_id, message: m.message_id }]);
      return push(update);
    };
    let killed = false;
    await Promise.all(
      users.map(async (u, n) => {
        for (let i = 0; i < 15; i++) {
          if (n === 0 && i === 5 && !killed) {
            killed = true;
            d.alive.delete(d.ports[1]!);
            await bots[1]!.stop("SIGKILL");
          }
          await u.send("/help");
        }
      }),
    );
    expect(killed).toBe(true);
    for (const u of users) {
      const remembered = new Set(await d.remembered(u));
      const mine = sends.get(u.chatId)!;
      expect(mine).toHaveLength(15);
      for (const s of mine) {
        expect(d.acknowledged.has(s.update)).toBe(true);
        expect(remembered.has(s.message)).toBe(true);
      }
      // Every message was answered; one whose reply went out just before the kill may be answered twice.
      expect(d.tg.visible(u.chatId).filter((m) => m.fromBot).length).toBeGreaterThanOrEqual(15);
    }
    await d.close();
  });
});
