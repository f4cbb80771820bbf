/**
 * npm run fake-telegram [port]: the local Bot API as an HTTP server, for running the real bot
 * (`npm start`) without Telegram. Point the bot at it:
 *
 *   BOT_TOKEN=123456:local TELEGRAM_API_ROOT=http://127.0.0.1:8081 npm start
 *
 * then act as users through the control API (see tools/local-telegram/http-server.ts), e.g.
 *
 *   curl -XPOST localhost:8081/control/users/1/send -d '{"text":"/start","language_code":"ru"}'
 *   curl localhost:8081/control/users/1/messages
 *
 * FAKE_TELEGRAM_TOKEN sets the accepted token (default 123456:local); WEBHOOK_BASE the address
 * webhooks are posted to (default http://127.0.0.1:8080).
 */
import { LocalTelegram } from "./local-telegram/emulator.js";
import { LocalTelegramServer } from "./local-telegram/http-server.js";

const port = Number(process.argv[2] ?? 8081);
const token = process.env.FAKE_TELEGRAM_TOKEN ?? "123456:local";
const server = new LocalTelegramServer(new LocalTelegram(), { token, webhookBase: process.env.WEBHOOK_BASE ?? "http://127.0.0.1:8080" });
const url = await server.listen(port);
console.log(`Local Bot API on ${url} (token ${token}). Ctrl-C stops it.`);
process.once("SIGINT", () => void server.close().then(() => process.exit(0)));
process.once("SIGTERM", () => void server.close().then(() => process.exit(0)));
