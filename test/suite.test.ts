import { mkdtempSync, readdirSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeDir } from "./support/harness.js";
import { type ChildResult, runChild } from "./support/process.js";

/**
 * The suite itself, honest about the system tools it needs: run on a machine without faketime,
 * Chromium and PostgreSQL, it says in one line each what to install and skips their tests; in CI
 * it fails instead. The machine is made real enough: a PATH holding every program of this one's
 * PATH but faketime and chromium, and PostgreSQL looked for in a folder that does not exist
 * (TEST_POSTGRES_LIB, where Debian's /usr/lib/postgresql is otherwise read).
 */

const MISSING = ["faketime", "chromium", "chromium-browser"];
let bin: string;

beforeAll(() => {
  bin = mkdtempSync(join(tmpdir(), "suite-path-"));
  const seen = new Set<string>(MISSING);
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of entries) {
      if (seen.has(name)) continue;
      seen.add(name);
      try {
        if (statSync(join(dir, name)).isFile()) symlinkSync(join(dir, name), join(bin, name));
      } catch {
        // A dangling link or unreadable entry: not a program this run needs.
      }
    }
  }
});
afterAll(() => removeDir(bin));

/** A nested run of two tool-dependent tests (and nothing else) on that machine; it reuses this run's build. */
async function nestedRun(ci: boolean): Promise<ChildResult> {
  const run = await runChild(
    process.execPath,
    ["node_modules/vitest/vitest.mjs", "run", "test/content-check.test.ts", "test/offline-guide.test.ts", "-t", "a year later|on a phone", "--reporter", "verbose", "--color=false"],
    { env: { PATH: bin, TEST_POSTGRES_LIB: join(bin, "no-postgresql"), CI: ci ? "1" : undefined, FORCE_COLOR: "0" }, timeoutMs: 100_000 },
  );
  // eslint-disable-next-line no-control-regex
  return { ...run, output: run.output.replace(/\x1b\[[0-9;]*m/g, "") };
}

describe("missing system tools", () => {
  it("outside CI: one line per tool saying what to install, its tests skipped, and the run passes", { timeout: 150_000 }, async () => {
    const run = await nestedRun(false);
    expect(run.status, run.output).toBe(0);
    for (const line of [
      "faketime is not installed: the tests of the content's age under a moved clock are skipped. To run them: apt-get install faketime",
      "chromium is not installed: the tests of the offline guide at phone width are skipped. To run them: apt-get install chromium",
      "postgresql is not installed: the tests on PostgreSQL are skipped. To run them: apt-get install postgresql",
    ]) {
      expect(run.output.split("\n").filter((l) => l === line), line).toHaveLength(1);
    }
    expect(run.output).toMatch(/↓ .*a year later.*\(skipped: faketime is not installed; apt-get install faketime\)/);
    expect(run.output).toMatch(/↓ .*on a phone \(skipped: chromium is not installed; apt-get install chromium\)/);
    // Without PostgreSQL, the second pass is not run at all.
    expect(run.output).not.toMatch(/\bpostgres\b.*test\//);
  });

  it("in CI: the run fails at once, naming what is missing and how .ci/run installs it", { timeout: 150_000 }, async () => {
    const run = await nestedRun(true);
    expect(run.status, run.output).not.toBe(0);
    expect(run.output).toContain("CI must run every test, but faketime, chromium, postgresql are not installed: .ci/run installs them (apt-get install faketime chromium postgresql)");
    expect(run.output).not.toMatch(/✓|↓/);
  });
});
