import { type ChildProcess, spawn, type SpawnOptions } from "node:child_process";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { RUN_MARKER } from "../../tools/suite-run.js";

export interface BotProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code and how long it took after `stop` was called; a process that outlives `deadlineMs` is killed and the test fails with what it printed. */
  stop(signal?: NodeJS.Signals, deadlineMs?: number): Promise<{ code: number | null; ms: number }>;
  exited: Promise<number | null>;
  /** The exit code, waiting at most `ms`; past that the process is killed and the test fails with what it printed. */
  exitCode(ms?: number): Promise<number | null>;
}

/** What a child of a test inherits: where temp files go, and the run's marker (tools/suite-run.ts), so a killed run can find it. */
export function runEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ["TMPDIR", RUN_MARKER]) if (process.env[name] !== undefined) env[name] = process.env[name];
  return env;
}

/**
 * Starts the bot as `npm start` does (node dist/src/main.js, built by the global setup), with the
 * given environment; `viaNpm` runs `npm start` itself, build step included.
 */
export function startBotProcess(env: Record<string, string>, viaNpm = false): BotProcess {
  const [command, args] = viaNpm ? ["npm", ["start", "--silent"]] : [process.execPath, ["--enable-source-maps", "dist/src/main.js"]];
  const child = spawn(command, args, {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NODE_ENV: "production", LOG_FORMAT: "json", ...runEnvironment(), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString("utf8")));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString("utf8")));
  // "close", not "exit": after "exit" the last lines the bot wrote ("stopped" above all) may still
  // be in the pipe, and a test reading its output would miss them.
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  const exitCode = async (ms = 30_000) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), ms)));
    const code = await Promise.race([exited, late]);
    clearTimeout(timer);
    if (code === "late") {
      child.kill("SIGKILL");
      throw new Error(`the bot process had not exited after ${ms} ms; it printed:\n${out.slice(-3000)}`);
    }
    return code;
  };
  return {
    child,
    output: () => out,
    exited,
    exitCode,
    async stop(signal = "SIGTERM", deadlineMs = 30_000) {
      const started = Date.now();
      child.kill(signal);
      const code = await exitCode(deadlineMs);
      return { code, ms: Date.now() - started };
    },
  };
}

/** Waits for the bot's "bot started" line; on failure says what the bot printed instead. */
export async function botStarted(bot: BotProcess, ms = 60_000): Promise<void> {
  await waitFor(() => bot.output().includes("bot started"), "the bot to start", ms, bot.output);
}

/** The address of the bot's HTTP server, started with PORT=0: the port the system gave it, from its "HTTP server listening" line. */
export async function httpAddress(bot: BotProcess, ms = 30_000): Promise<string> {
  let port: number | undefined;
  await waitFor(
    () => {
      for (const line of bot.output().split("\n")) {
        if (!line.includes('"HTTP server listening"')) continue;
        port = (JSON.parse(line) as { port: number }).port;
        return true;
      }
      return false;
    },
    "the bot's HTTP server",
    ms,
    bot.output,
  );
  return `http://127.0.0.1:${port}`;
}

/**
 * Polls until the condition holds (the bot works in another process), failing after `ms`: a
 * deadline for a failure, not a measure of speed. `said` is what a child process printed, shown
 * when the wait fails.
 */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, ms = 30_000, said?: () => string): Promise<void> {
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

export interface ChildResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Both, as they came. */
  output: string;
}

/**
 * Runs a command to its end, with its own deadline (it is killed after `timeoutMs`, and the
 * test fails saying so and showing what it printed), without blocking the test worker's event
 * loop. The run's temp folder and marker are passed on.
 */
export async function runChild(command: string, args: string[], options: { env?: Record<string, string | undefined>; timeoutMs?: number; cwd?: string } = {}): Promise<ChildResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  // An undefined value removes the variable (spawn would pass the text "undefined").
  const env = Object.fromEntries(Object.entries({ ...process.env, ...runEnvironment(), ...options.env }).filter(([, v]) => v !== undefined));
  const spawnOptions: SpawnOptions = { env, stdio: ["ignore", "pipe", "pipe"], ...(options.cwd === undefined ? {} : { cwd: options.cwd }) };
  const child = spawn(command, args, spawnOptions);
  let stdout = "";
  let stderr = "";
  let output = "";
  child.stdout!.on("data", (d: Buffer) => {
    stdout += d.toString("utf8");
    output += d.toString("utf8");
  });
  child.stderr!.on("data", (d: Buffer) => {
    stderr += d.toString("utf8");
    output += d.toString("utf8");
  });
  let late = false;
  const timer = setTimeout(() => {
    late = true;
    child.kill("SIGKILL");
  }, timeoutMs);
  const status = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve(code));
  });
  clearTimeout(timer);
  if (late) throw new Error(`\`${[command, ...args].join(" ")}\` did not finish within ${timeoutMs} ms; it printed:\n${output.slice(-3000)}`);
  return { status, stdout, stderr, output };
}

/** Fails with what the child printed unless it exited with `code`. */
export function expectExit(result: ChildResult, code: number, what: string): void {
  if (result.status !== code) throw new Error(`${what} exited with ${result.status}, not ${code}; it printed:\n${result.output.slice(-3000)}`);
}

/**
 * How long the bot took to stop by its own clock, from "shutting down" to "stopped" in its JSON
 * log, and the lines that say so (for a failure message). Infinite when it never logged both (it
 * reached its shutdown deadline, or crashed), and then the lines are the end of all it printed.
 * Measured from outside, an exit also waits for a loaded machine to schedule the process; the
 * bot's promise is its own 4.5 s (main.ts).
 */
export function ownStopMs(output: string): { ms: number; lines: string } {
  const entries = output
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => {
      try {
        return JSON.parse(line) as { time?: number; msg?: string };
      } catch {
        return {};
      }
    })
    .filter((e) => e.msg === "shutting down" || e.msg === "stopped" || e.msg?.startsWith("shutdown deadline") === true || e.msg === "error while stopping");
  const from = entries.find((e) => e.msg === "shutting down")?.time;
  const to = entries.find((e) => e.msg === "stopped")?.time;
  if (from === undefined || to === undefined) return { ms: Number.POSITIVE_INFINITY, lines: `no "shutting down" and "stopped" in its log; it printed:\n${output.slice(-3000)}` };
  return { ms: to - from, lines: entries.map((e) => JSON.stringify(e)).join("\n") };
}
