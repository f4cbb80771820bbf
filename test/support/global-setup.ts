import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { type Cluster, startCluster } from "../../tools/postgres-cluster.js";
import { cleanUpEarlierRuns, markedProcesses, ownerProcesses, RUN_MARKER, RUN_PREFIX, startWatchdog, writeOwner } from "../../tools/suite-run.js";
import { findTools, skipLine, TOOL_NEEDS, type Tools } from "./tools.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The run's PostgreSQL cluster (superuser address); undefined when PostgreSQL is not installed. */
    postgresUrl: string | undefined;
    /** The system tools found; a missing one's tests are skipped (CI fails instead, below). */
    tools: Tools;
  }
}

/** Set for the run's processes: a nested run (test/suite.test.ts) reuses the build. */
const BUILT = "ASYLUM_SUITE_BUILT";

/**
 * The one global setup of both projects (vitest.config.ts), in this order:
 *  1. the system tools: a missing one is one line saying what to install, and its tests are
 *     skipped; in CI (CI set) the run fails instead, since .ci/run installs them all;
 *  2. dist/, built once, since tests start the bot as production does (node dist/src/main.js);
 *  3. the run's folder (tools/suite-run.ts): the tests' TMPDIR, with a watchdog that ends the
 *     run's cluster and processes and removes the folder if the run is killed, even with SIGKILL;
 *  4. a throw-away PostgreSQL cluster.
 * The type check and `npm run content:check` are tests like the others (test/typecheck.test.ts,
 * test/content-check.test.ts): run here, before every test, they kept a core idle for seconds.
 * Teardown stops the cluster, ends any process a test left behind (saying so), and removes the folder.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const ci = process.env.CI !== undefined && process.env.CI !== "";
  const tools = findTools();
  const missing = TOOL_NEEDS.filter((need) => tools[need.name] === undefined);
  if (missing.length > 0 && ci) {
    const packages = missing.map((m) => m.package).join(" ");
    throw new Error(`CI must run every test, but ${packages.replace(/ /g, ", ")} ${missing.length === 1 ? "is" : "are"} not installed: .ci/run installs ${missing.length === 1 ? "it" : "them"} (apt-get install ${packages})`);
  }
  for (const need of missing) console.warn(skipLine(need));

  if (process.env[BUILT] === undefined) execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit", timeout: 120_000 });
  const watchdog = join(process.cwd(), "dist", "tools", "suite-run.js");

  for (const dir of cleanUpEarlierRuns()) console.warn(`Cleaned up after an earlier test run that was killed: ${dir}`);
  const root = mkdtempSync(join(tmpdir(), RUN_PREFIX));
  // PostgreSQL runs as its own user (when root) in a folder inside: it must be able to pass through.
  chmodSync(root, 0o711);
  const owners = ownerProcesses();
  const runnerTmp = [...new Set([project.tmpDir, ...project.vitest.projects.map((p) => p.tmpDir)])];
  writeOwner(root, owners, { runnerTmp });
  startWatchdog(root, watchdog);
  const systemTmp = tmpdir();
  process.env.TMPDIR = root;
  process.env[RUN_MARKER] = root;

  let cluster: Cluster | undefined;
  try {
    if (tools.postgres !== undefined) {
      cluster = await startCluster(tools.postgres, { parent: root });
      writeOwner(root, owners, { runnerTmp, postgres: { bin: tools.postgres, dir: cluster.dir } });
    }
  } catch (error) {
    cluster?.stop();
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  project.provide("postgresUrl", cluster?.url);
  project.provide("tools", tools);
  process.env[BUILT] = "1";

  return () => {
    try {
      cluster?.stop();
    } finally {
      const leftovers = markedProcesses(root).filter((pid) => !commandLine(pid).includes("vitest"));
      for (const pid of leftovers) {
        console.warn(`A test left a process running; ended: ${commandLine(pid).slice(0, 120)}`);
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // Gone meanwhile.
        }
      }
      rmSync(root, { recursive: true, force: true });
      process.env.TMPDIR = systemTmp;
    }
  };
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
}
