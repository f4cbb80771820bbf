import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { postgresBin } from "../../tools/postgres-cluster.js";

/**
 * The system tools some tests need, found as a shell would find them (on PATH; PostgreSQL in
 * Debian's versioned folder, which TEST_POSTGRES_LIB can point elsewhere). A test of the suite
 * itself (test/suite.test.ts) runs the suite with a PATH that lacks them.
 */
export interface Tools {
  faketime?: string;
  chromium?: string;
  /** The folder of PostgreSQL's binaries (initdb, pg_ctl). */
  postgres?: string;
}

export interface ToolNeed {
  name: keyof Tools;
  package: string;
  tests: string;
}

export const TOOL_NEEDS: ToolNeed[] = [
  { name: "faketime", package: "faketime", tests: "the tests of the content's age under a moved clock" },
  { name: "chromium", package: "chromium", tests: "the tests of the offline guide at phone width" },
  { name: "postgres", package: "postgresql", tests: "the tests on PostgreSQL" },
];

function onPath(command: string, path = process.env.PATH ?? ""): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

export function findTools(env: NodeJS.ProcessEnv = process.env): Tools {
  const faketime = onPath("faketime", env.PATH);
  const chromium = onPath("chromium", env.PATH) ?? onPath("chromium-browser", env.PATH);
  const postgres = postgresBin(env.TEST_POSTGRES_LIB || undefined);
  return { ...(faketime ? { faketime } : {}), ...(chromium ? { chromium } : {}), ...(postgres ? { postgres } : {}) };
}

/** The line printed for a missing tool outside CI: what is skipped and what to install. */
export function skipLine(need: ToolNeed): string {
  return `${need.package} is not installed: ${need.tests} are skipped. To run them: apt-get install ${need.package}`;
}

/** Why a test is skipped, for its name; "" when the tool is there. */
export function skipReason(tools: Tools, name: keyof Tools): string {
  const need = TOOL_NEEDS.find((n) => n.name === name)!;
  return tools[name] === undefined ? ` (skipped: ${need.package} is not installed; apt-get install ${need.package})` : "";
}
