import { Api, GrammyError, HttpError } from "grammy";
import { afterEach, describe, expect, it } from "vitest";
import { describeError } from "../src/privacy/describe-error.js";
import { keepProfileRegistered } from "../src/run/jobs.js";
import { botApiAnswers, NotBotApiAnswer, safeExcerpt } from "../src/telegram/answer.js";
import { createLogger } from "../src/logger.js";
import { LogCapture, startTestBot, TEST_TOKEN, type TestBot } from "./support/harness.js";

let tb: TestBot | undefined;
afterEach(async () => {
  await tb?.close();
  tb = undefined;
});

/** A Bot API address that answers every call with this status and body. */
function answering(status: number, body: string): Api {
  const transport = async () => new Response(body, { status });
  return new Api(TEST_TOKEN, { fetch: botApiAnswers(transport as typeof fetch) });
}

async function failure(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (error) {
    return error;
  }
  throw new Error("the call succeeded");
}

describe("errors say what happened, never 'undefined', and nothing identifying", () => {
  it("a proxy's HTML error page: the HTTP status and the page's first line of text", async () => {
    const error = await failure(answering(502, "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>nginx</body></html>").getMe());
    expect(error).toBeInstanceOf(HttpError);
    expect(describeError(error)).toMatchObject({ type: "HttpError", method: "getMe", code: 502, message: "HTTP 502, not a Bot API answer: 502 Bad Gateway" });
  });

  it("JSON that is not the Bot API's envelope, even with status 200", async () => {
    const error = await failure(answering(200, '{"message":"maintenance"}').getMe());
    expect(describeError(error).message).toBe('HTTP 200, not a Bot API answer: {"message":"maintenance"}');
  });

  it("what getMe and getUpdates get instead of an answer is logged (they are retried without a word), once a minute; other calls' callers log their own", async () => {
    const logs = new LogCapture();
    const transport = async () => new Response("<html><head><title>404 Not Found</title></head></html>", { status: 404 });
    const api = new Api(TEST_TOKEN, { fetch: botApiAnswers(transport as typeof fetch, createLogger({ level: "warn", destination: logs })) });
    for (let i = 0; i < 3; i++) await failure(api.getMe());
    await failure(api.sendMessage(1, "x"));
    expect(logs.entries()).toEqual([expect.objectContaining({ level: 40, method: "getMe", code: 404, answer: "HTTP 404, not a Bot API answer: 404 Not Found" })]);
  });

  it("an excerpt keeps no ids, no token, no control characters, and stays short", () => {
    expect(safeExcerpt("chat 8123456789 of bot 123456:AAH-abcdefghijklmnopqrstuvwxyz012 refused\u0007")).toBe("chat # of bot «token» refused");
    expect(safeExcerpt("x".repeat(500))).toHaveLength(160);
    expect(safeExcerpt("")).toBe("");
    expect(new NotBotApiAnswer("getMe", 503, "").message).toBe("HTTP 503, not a Bot API answer");
  });

  it("a Bot API error without a description keeps its code, and a network failure says why", async () => {
    const noDescription = await failure(answering(400, '{"ok":false,"error_code":400}').getMe());
    expect(noDescription).toBeInstanceOf(GrammyError);
    expect(describeError(noDescription)).toMatchObject({ method: "getMe", code: 400, message: "no description given" });
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" });
    const network = new HttpError("Network request for 'sendMessage' failed!", refused);
    expect(describeError(network)).toMatchObject({ method: "sendMessage", message: "network error while calling the Bot API (ECONNREFUSED)" });
    for (const e of [noDescription, network, new GrammyError("x", { ok: false, error_code: undefined as never, description: undefined as never }, "getMe", {})]) {
      expect(JSON.stringify(describeError(e))).not.toContain("undefined");
    }
  });
});

describe("the profile, registered in the background", () => {
  const warnings = (t: TestBot) => t.logs.entries().filter((e) => e.level === 40 && String(e.msg).includes("could not register"));

  it("warns once with the method and Telegram's answer, retries until it works, and says so", async () => {
    tb = await startTestBot();
    for (let i = 0; i < 2; i++) tb.tg.failures.push({ method: "setMyDescription", code: 400, description: "Bad Request: description is too long" });
    const job = keepProfileRegistered(tb.bot, tb.app.storage, tb.app.deps.i18n, tb.app.deps.logger, { firstRetryMs: 1, onFatal: (m) => expect.fail(m) });
    await job.done;
    expect(warnings(tb)).toHaveLength(1);
    expect(warnings(tb)[0]).toMatchObject({ method: "setMyDescription", code: 400, answer: "Bad Request: description is too long" });
    expect(tb.logs.entries().find((e) => e.msg === "commands and descriptions registered")).toMatchObject({ tries: 3 });
    expect(tb.tg.descriptions.size).toBe(5);
    expect(tb.tg.commands.size).toBe(5);
  });

  it("waits as long as a 429's retry_after asks, and stops at once when told", async () => {
    tb = await startTestBot();
    tb.tg.failures.push({ method: "setMyCommands", code: 429, description: "Too Many Requests: retry after 3600", retryAfter: 3600 });
    const job = keepProfileRegistered(tb.bot, tb.app.storage, tb.app.deps.i18n, tb.app.deps.logger, { firstRetryMs: 1, onFatal: (m) => expect.fail(m) });
    await expect.poll(() => warnings(tb!).length).toBe(1);
    expect(warnings(tb)[0]).toMatchObject({ method: "setMyCommands", code: 429, retry_in_s: 3600 });
    await job.stop();
    expect(tb.tg.calls.filter((c) => c.method === "setMyCommands")).toHaveLength(1);
  });

  it("a token rejected meanwhile (401) is fatal, as at start-up", async () => {
    tb = await startTestBot();
    tb.tg.failures.push({ method: "setMyCommands", code: 401, description: "Unauthorized" });
    const fatal: string[] = [];
    await keepProfileRegistered(tb.bot, tb.app.storage, tb.app.deps.i18n, tb.app.deps.logger, { firstRetryMs: 1, onFatal: (m) => fatal.push(m) }).done;
    expect(fatal).toEqual([expect.stringContaining("BOT_TOKEN was rejected")]);
    expect(warnings(tb)).toEqual([]);
  });
});
