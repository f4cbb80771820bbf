import { describe, expect, inject, it } from "vitest";
import { type ChildResult, expectExit, runChild } from "./support/process.js";
import { skipReason } from "./support/tools.js";

const FAKETIME = inject("tools").faketime;

/**
 * `npm run content:check` (`node dist/tools/content-check.js`, built by the global setup) as
 * tests among the others rather than a step before them: it takes several seconds of one core,
 * which the run's other files now share instead of waiting on. Both checks run at once.
 */
let freshRun: Promise<ChildResult> | undefined;
/** Today's check, run once for both tests (and not at all when a filter skips both). */
const fresh = () => (freshRun ??= runChild(process.execPath, ["dist/tools/content-check.js"], { timeoutMs: 90_000 }));
const problems = (run: ChildResult) => run.stdout.split("\n").filter((line) => line.startsWith("PROBLEM"));

describe.concurrent("npm run content:check", () => {
  it("passes on the content as it is, and prints every item's age", async () => {
    const run = await fresh();
    // What it warns about (an update list past CONTENT_STALE_DAYS) is for the run's reader too.
    for (const line of run.stdout.split("\n").filter((l) => l.startsWith("WARNING"))) console.log(`content:check: ${line}`);
    expectExit(run, 0, "content:check");
    expect(problems(run)).toEqual([]);
    expect(run.stdout).toMatch(/turn-backs\s+confirmed\s+2026-06-25\s+2026-11-29\s+\d+ days/);
    expect(run.stdout).toMatch(/grant-rate-russians-2025\s+unverified.*\(never shown\)/);
  });

  it.skipIf(FAKETIME === undefined)(`a year later warns past the limit, but time alone never fails it${skipReason(inject("tools"), "faketime")}`, async () => {
    // Under faketime (Debian's libfaketime): the clock of the content check alone is moved.
    const later = await runChild(FAKETIME!, ["2027-12-01 12:00:00", process.execPath, "dist/tools/content-check.js"], { timeoutMs: 90_000 });
    expect(later.stdout).toMatch(/turn-backs\s+confirmed\s+2026-06-25\s+2026-11-29\s+36\d days/);
    expect(later.stdout).toMatch(/WARNING: \d+ shown update\(s\) were last checked more than 90 days ago/);
    // The same problems as today's check, if any (the test above names them), and no new one.
    const now = await fresh();
    expect(problems(later)).toEqual(problems(now));
    if (problems(now).length === 0) expectExit(later, 0, "content:check under faketime");
  });
});
