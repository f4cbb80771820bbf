import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "vitest";
import { LocalTelegram } from "../../tools/local-telegram/emulator.js";
import { LocalTelegramServer } from "../../tools/local-telegram/http-server.js";
import { removeDir } from "./harness.js";
import { type BotProcess, startBotProcess } from "./process.js";

/**
 * One test's local Bot API servers, bot processes and folders, all ended when the test ends,
 * however it ends, so that tests of one file can run at the same time (describe.concurrent).
 */
export function processScope(context: TestContext, token: string) {
  const servers: LocalTelegramServer[] = [];
  const bots: BotProcess[] = [];
  const cleanups: (() => void | Promise<void>)[] = [];
  context.onTestFinished(async () => {
    for (const b of bots) if (b.child.exitCode === null && b.child.signalCode === null) await b.stop("SIGKILL");
    for (const s of servers) await s.close();
    for (const c of cleanups.reverse()) await c();
  });
  return {
    /** Run when the test ends, after its bots and servers have stopped, last registered first. */
    cleanups,
    /** A local Bot API on a free port, and a folder for the bot's data. */
    async setup(options: { webhookBase?: string } = {}) {
      const tg = new LocalTelegram();
      const server = new LocalTelegramServer(tg, { token, ...options });
      servers.push(server);
      const apiRoot = await server.listen();
      const dir = mkdtempSync(join(tmpdir(), "asylum-process-"));
      cleanups.push(() => removeDir(dir));
      return { tg, server, apiRoot, dir, databasePath: join(dir, "data", "bot.sqlite") };
    },
    /** Starts `node dist/src/main.js` (or `npm start`) with this token and the environment given. */
    start(env: Record<string, string>, viaNpm = false): BotProcess {
      const bot = startBotProcess({ BOT_TOKEN: token, ...env }, viaNpm);
      bots.push(bot);
      return bot;
    },
  };
}
