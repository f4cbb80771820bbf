import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, inject, it } from "vitest";
import { commandLine, markedProcesses } from "../tools/suite-run.js";
import { removeDir } from "./support/harness.js";
import { expectExit, runChild, runEnvironment, waitFor } from "./support/process.js";
import { skipReason } from "./support/tools.js";

/**
 * `npm run bench` is run by hand for minutes at a time, and stopped the ways people stop things:
 * its output piped into `head`, Ctrl-C, a killed terminal, kill -9. Whatever ends it, it leaves no
 * process, PostgreSQL cluster or folder behind (bench/bench.ts, supervise); a mistyped option is
 * refused before anything starts, not taken for a ten-minute run.
 */

const POSTGRES = inject("tools").postgres;
const BENCH = "dist/bench/bench.js";

let tmp: string | undefined;
let children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children) child.kill("SIGKILL");
  children = [];
  if (tmp !== undefined) removeDir(tmp);
  tmp = undefined;
});

describe("npm run bench: its options", () => {
  it("--help lists the options; a mistyped one, or a count that is not one, is refused in one line", async () => {
    const help = await runChild(process.execPath, [BENCH, "--help"]);
    expectExit(help, 0, "--help");
    for (const option of ["--quick", "--rounds N", "--one", "--tail", "--postgres-only", "--before <dir>"]) expect(help.stdout).toContain(option);

    const cases: [string[], string][] = [
      [["--bogus"], 'npm run bench: unknown option "--bogus"; npm run bench -- --help lists them'],
      [["--quick", "--rounds", "0"], "npm run bench: --rounds 0: a whole number above 0, please"],
      [["--updates", "many"], "npm run bench: --updates many: a whole number above 0, please"],
      [["--one"], "npm run bench: --one needs a value; npm run bench -- --help lists the options"],
      [["--one", "full:pollin:100"], "npm run bench: --one <full|before|bare|durable>:<polling|webhook>:<users>[:node-flag…], e.g. --one full:polling:100"],
    ];
    const runs = await Promise.all(cases.map(([args]) => runChild(process.execPath, [BENCH, ...args])));
    for (const [i, [args, line]] of cases.entries()) {
      expectExit(runs[i]!, 2, args.join(" "));
      expect(runs[i]!.stderr.trim()).toBe(line);
      expect(runs[i]!.stdout).toBe("");
    }
  });
});

/** Starts the benchmark with its own temp folder, and waits until its run folder holds the stand-in and a bot, running. */
async function startBench(args: string[]): Promise<{ child: ChildProcess; run: string; output(): string; exited: Promise<number | null> }> {
  tmp = mkdtempSync(join(tmpdir(), "bench-run-"));
  // PostgreSQL runs as its own user (when root) in a folder inside: it must be able to pass through.
  chmodSync(tmp, 0o711);
  const child = spawn(process.execPath, [BENCH, ...args], { env: { ...process.env, ...runEnvironment(), TMPDIR: tmp }, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString("utf8")));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const runFolder = () => readdirSync(tmp!).find((name) => name.startsWith("asylum-bench-run-"));
  const running = (condition: () => boolean) => () => {
    if (child.exitCode !== null) throw new Error(`the benchmark exited with ${child.exitCode} before it was stopped; it printed:\n${out.slice(-3000)}`);
    return condition();
  };
  await waitFor(running(() => runFolder() !== undefined), "the benchmark's run folder", 30_000, () => out);
  const run = join(tmp, runFolder()!);
  const commandLines = () => markedProcesses(run).map(commandLine);
  await waitFor(running(() => commandLines().some((c) => c.includes("standin.js")) && commandLines().some((c) => /main\.js|bare-bot\.js/.test(c))), "the stand-in and the bot", 60_000, () => out);
  return { child, run, output: () => out, exited };
}

/** Every process the run started has ended, its folder is gone, and no PostgreSQL of it runs. */
async function nothingLeft(run: string, what: () => string): Promise<void> {
  await waitFor(() => !existsSync(run) && markedProcesses(run).length === 0 && postgresOf(run).length === 0, "the run to be cleaned up", 15_000, what);
}

function postgresOf(run: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) if (/^[0-9]+$/.test(entry) && commandLine(Number(entry)).includes(run)) found.push(Number(entry));
  return found;
}

describe("npm run bench leaves nothing behind, however it ends", () => {
  it.skipIf(POSTGRES === undefined && !process.env.CI)(
    `killed with SIGKILL while its own PostgreSQL cluster runs: the cluster, the bot, the stand-in and the folders go within seconds${skipReason(inject("tools"), "postgres")}`,
    { timeout: 90_000 },
    async () => {
      const bench = await startBench(["--one", "full:polling:100", "--postgres", "--quick"]);
      const owner = JSON.parse(readFileSync(join(bench.run, "owner.json"), "utf8")) as { postgres?: { dir: string } };
      expect(owner.postgres?.dir.startsWith(bench.run)).toBe(true);
      expect(postgresOf(bench.run).length).toBeGreaterThan(0);
      bench.child.kill("SIGKILL");
      await nothingLeft(bench.run, bench.output);
    },
  );

  it("its worker killed alone (as when it dies of its own fault): the run says so, exits non-zero, and is cleaned up", { timeout: 90_000 }, async () => {
    const bench = await startBench(["--one", "bare:polling:100", "--quick"]);
    const worker = markedProcesses(bench.run).find((pid) => commandLine(pid).includes("bench.js"));
    expect(worker).toBeDefined();
    process.kill(worker!, "SIGKILL");
    expect(await bench.exited).toBe(137);
    // Its last line may still be in the pipe when "exit" comes.
    await waitFor(() => bench.output().includes("npm run bench: the run ended by SIGKILL"), "the line saying how the run ended", 10_000, bench.output);
    await nothingLeft(bench.run, bench.output);
  });
});

describe("npm run bench:client leaves nothing behind", () => {
  it("killed with SIGKILL: its pinned worker and its stand-in end within seconds", { timeout: 60_000 }, async () => {
    const id = `bench-client-${process.pid}-${Date.now()}`;
    const child = spawn(process.execPath, ["dist/bench/client.js"], { env: { ...process.env, ...runEnvironment(), BENCH_RUN_TEST_ID: id }, stdio: "ignore" });
    children.push(child);
    const ours = () => {
      const found: string[] = [];
      for (const entry of readdirSync("/proc")) {
        if (!/^[0-9]+$/.test(entry)) continue;
        try {
          if (readFileSync(`/proc/${entry}/environ`, "utf8").includes(`BENCH_RUN_TEST_ID=${id}\0`)) found.push(commandLine(Number(entry)));
        } catch {
          // Gone meanwhile.
        }
      }
      return found;
    };
    await waitFor(() => ours().some((c) => c.includes("--serve")), "the client benchmark's stand-in", 30_000);
    child.kill("SIGKILL");
    await waitFor(() => ours().length === 0, "the client benchmark's processes to end", 10_000, () => ours().join("\n"));
  });
});
