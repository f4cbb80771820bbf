import { type ChildProcess, spawn } from "node:child_process";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface BotProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code and how long it took after `stop` was called. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; ms: number }>;
  exited: Promise<number | null>;
}

/**
 * Starts the bot as `npm start` does (node dist/src/main.js, built by the test setup), with the
 * given environment; `viaNpm` runs `npm start` itself, build step included.
 */
export function startBotProcess(env: Record<string, string>, viaNpm = false): BotProcess {
  const [command, args] = viaNpm ? ["npm", ["start", "--silent"]] : [process.execPath, ["--enable-source-maps", "dist/src/main.js"]];
  const child = spawn(command, args, {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NODE_ENV: "production", LOG_FORMAT: "json", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString("utf8")));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    output: () => out,
    exited,
    async stop(signal = "SIGTERM") {
      const started = Date.now();
      child.kill(signal);
      const code = await exited;
      return { code, ms: Date.now() - started };
    },
  };
}

/** Waits for the bot's "bot started" line; on failure says what the bot printed instead. */
export async function botStarted(bot: BotProcess, ms = 20_000): Promise<void> {
  try {
    await waitFor(() => bot.output().includes("bot started"), "the bot to start", ms);
  } catch (error) {
    throw new Error(`${(error as Error).message}; it printed:\n${bot.output().slice(-3000)}`);
  }
}

/**
 * Polls until the condition holds (the bot works in another process), failing after `ms`: a
 * deadline for a failure, not a measure of speed. `said` is what a child process printed, shown
 * when the wait fails.
 */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, ms = 20_000, said?: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${said === undefined ? "" : `; the process printed:\n${said().slice(-3000)}`}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Listens on a free port on loopback (port 0: the system picks, nothing is picked and released) and returns the address. */
export async function listen(server: Server, host = "127.0.0.1"): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return `http://${host}:${address.port}`;
}

export { freePort } from "../../tools/postgres-cluster.js";
