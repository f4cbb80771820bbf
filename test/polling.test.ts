import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { assemble } from "../src/app.js";
import { createBot } from "../src/bot/index.js";
import { LocalTelegram } from "../tools/local-telegram/emulator.js";
import { SimulatedUser } from "../tools/local-telegram/user.js";
import { createLogger } from "../src/logger.js";
import { Dispatcher } from "../src/run/dispatcher.js";
import { startPolling } from "../src/run/polling.js";
import { LogCapture, TEST_TOKEN } from "./support/harness.js";
import { waitFor } from "./support/process.js";

describe("long polling shutdown", () => {
  it("finishes updates in flight, confirms them, and a restarted bot neither repeats nor loses any", async () => {
    const tg = new LocalTelegram();
    const databasePath = join(mkdtempSync(join(tmpdir(), "asylum-polling-")), "bot.sqlite");
    const start = async () => {
      const app = await assemble({ databasePath, logger: createLogger({ level: "warn", destination: new LogCapture() }) });
      const bot = createBot(app.deps, { token: TEST_TOKEN, botInfo: tg.botInfo, client: { fetch: tg.fetch } });
      const dispatcher = new Dispatcher(bot, { storage: app.storage, logger: app.deps.logger, metrics: app.deps.metrics });
      return { app, polling: await startPolling(bot, { logger: app.deps.logger, storage: app.storage, dispatcher, sealer: app.sealer, pollTimeoutSeconds: 1, onFatal: () => undefined }) };
    };
    const users = Array.from({ length: 8 }, (_, i) => new SimulatedUser(tg, { id: 3_000_000 + i, first_name: "U", language_code: "en" }));
    const replies = (u: SimulatedUser) => u.botMessages().length;

    let run = await start();
    // Replies take 300 ms, so every update is still being handled when the stop comes.
    tg.delays.set("sendMessage", 300);
    for (const u of users) await u.send("/help");
    await waitFor(() => tg.calls.filter((c) => c.method === "sendMessage").length === users.length, "handling to begin");
    await run.polling.stop();
    await run.app.close();
    expect(users.map(replies)).toEqual(users.map(() => 1));
    expect(tg.pendingUpdates()).toEqual([]);

    tg.delays.clear();
    for (const u of users) await u.send("/help");
    run = await start();
    await waitFor(() => users.every((u) => replies(u) === 2), "the updates sent while the bot was down");
    await run.polling.stop();
    await run.app.close();
    expect(users.map(replies)).toEqual(users.map(() => 2));
    expect(tg.rejected).toEqual([]);
  });
});
