import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { stopCluster } from "./postgres-cluster.js";

/**
 * One run of the test suite (or of the benchmark, `asylum-bench-run-*`, bench/bench.ts) owns one folder in the system's temp folder, `asylum-suite-*`:
 * every temporary file of the run (the tests' TMPDIR points there), its PostgreSQL cluster, and
 * `owner.json`, which names the processes the run lives in. Every process the run starts carries
 * the folder in its environment (RUN_MARKER), so what is left of a run can be found and ended.
 *
 * A run that ends normally removes its folder. One that is killed (even with SIGKILL) is cleaned
 * up by its watchdog, a detached process (`node dist/tools/suite-run.js watch <folder>`) that
 * notices within a second that an owner process is gone; a run whose watchdog died too is cleaned
 * at the next run's start.
 */

export const RUN_PREFIX = "asylum-suite-";
export const RUN_MARKER = "ASYLUM_SUITE_RUN";

interface Owner {
  /** Processes whose end ends the run: the test runner, and the npm or shell processes above it. */
  pids: { pid: number; started: string }[];
  /** The PostgreSQL binaries and cluster folder, once a cluster runs. */
  postgres?: { bin: string; dir: string };
  /**
   * The test runner's own temp folders (Vitest makes one per project in the system's temp folder
   * before any setup runs, and removes them only when it closes normally).
   */
  runnerTmp?: string[];
}

/**
 * When the process started (field 22 of /proc/<pid>/stat), so a reused pid is not taken for it;
 * undefined when it is gone, or dead and not yet reaped by its parent (a zombie).
 */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[0] === "Z" || fields[0] === "X" ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

/** A process's command line, its arguments joined by spaces; empty once it is gone. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
}

/**
 * The test runner's process and the processes above it up to the npm that started it (`npm
 * test`, `npx vitest`), if there is one close above: killing any of them ends the run.
 */
export function ownerProcesses(pid = process.pid): number[] {
  const chain = [pid];
  let current = pid;
  for (let level = 0; level < 4; level++) {
    const parent = parentOf(current);
    if (parent === undefined || parent <= 1) break;
    chain.push(parent);
    if (/(^|\/)(npm|npx)(-cli\.js)?( |$)|npm-cli\.js|npx-cli\.js|^npm /.test(commandLine(parent))) return chain;
    current = parent;
  }
  return [pid];
}

function alive(owner: Owner): boolean {
  return owner.pids.every(({ pid, started }) => startTime(pid) === started);
}

function readOwner(dir: string): Owner | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, "owner.json"), "utf8")) as Owner;
  } catch {
    return undefined;
  }
}

export function writeOwner(dir: string, pids: number[], more: Omit<Owner, "pids"> = {}): void {
  const owner: Owner = { pids: pids.map((pid) => ({ pid, started: startTime(pid) ?? "" })), ...more };
  writeFileSync(join(dir, "owner.json"), JSON.stringify(owner));
}

/** Processes whose environment carries this run's marker (bots, workers, browsers), except this one. */
export function markedProcesses(dir: string): number[] {
  const marker = `${RUN_MARKER}=${dir}\0`;
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (`${readFileSync(`/proc/${pid}/environ`, "utf8")}\0`.includes(marker)) found.push(pid);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

function kill(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

/** Names the PostgreSQL cluster a run started, so that whoever cleans up after the run stops it. */
export function addClusterToOwner(dir: string, postgres: { bin: string; dir: string }): void {
  const owner = readOwner(dir);
  if (owner !== undefined) writeFileSync(join(dir, "owner.json"), JSON.stringify({ ...owner, postgres }));
}

/**
 * Ends what is left of a run that was killed: the owner processes still running (the test runner
 * when only npm was killed), its PostgreSQL cluster (stopped at once), every process that carries
 * its marker, and its folder.
 */
export function cleanUpRun(dir: string, owner = readOwner(dir)): void {
  kill((owner?.pids ?? []).filter(({ pid, started }) => started !== "" && startTime(pid) === started).map(({ pid }) => pid));
  if (owner?.postgres !== undefined) {
    try {
      stopCluster(owner.postgres.bin, owner.postgres.dir);
    } catch {
      // Killed with the rest below.
    }
  }
  kill(markedProcesses(dir));
  rmSync(dir, { recursive: true, force: true });
  // Only a folder directly in the system's temp folder, as the runner makes it.
  for (const folder of owner?.runnerTmp ?? []) if (dirname(folder) === tmpdir()) rmSync(folder, { recursive: true, force: true });
}

/**
 * What an owner does once its run is over, however it ended: its cluster stopped, any marked
 * process ended, the folder removed. Its owner processes, itself among them, are left alone.
 */
export function endRun(dir: string): void {
  const owner = readOwner(dir);
  cleanUpRun(dir, { ...owner, pids: [] });
}

/** Cleans up the folders of earlier runs (named with `prefix`) whose processes are all gone (their watchdog died with them). */
export function cleanUpEarlierRuns(prefix = RUN_PREFIX): string[] {
  const cleaned: string[] = [];
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(prefix)) continue;
    const dir = join(tmpdir(), name);
    const owner = readOwner(dir);
    // A folder just made by a run still starting has no owner file yet: left alone unless old.
    if (owner === undefined ? Date.now() - safeMtime(dir) < 60_000 : alive(owner)) continue;
    cleanUpRun(dir, owner);
    cleaned.push(dir);
  }
  return cleaned;
}

function safeMtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return Date.now();
  }
}

/** Starts the watchdog of a run, detached from the run's processes so that it outlives them. */
export function startWatchdog(dir: string, script: string): void {
  const env = { ...process.env };
  delete env[RUN_MARKER];
  const child = spawn(process.execPath, [script, "watch", dir], { detached: true, stdio: "ignore", env });
  child.unref();
}

/** The watchdog: once any owner process is gone, or the folder was removed by a run that ended well, it cleans up and exits. */
function watch(dir: string): void {
  const timer = setInterval(() => {
    if (!existsSync(dir)) {
      clearInterval(timer);
      return;
    }
    const owner = readOwner(dir);
    if (owner === undefined || alive(owner)) return;
    clearInterval(timer);
    cleanUpRun(dir, owner);
  }, 500);
}

if (process.argv[2] === "watch" && process.argv[3] !== undefined) watch(process.argv[3]);
