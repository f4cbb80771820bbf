import { describe, expect, inject, it } from "vitest";
import { expectExit, runChild } from "./support/process.js";
import { skipReason } from "./support/tools.js";

const FAKETIME = inject("tools").faketime;

/**
 * `npm run content:check` (`node dist/tools/content-check.js`, built by the global setup) as
 * tests among the others rather than a step before them: it takes several seconds of one core,
 * which the run's other files now share instead of waiting on. Both checks run at once.
 */
describe.concurrent("npm run content:check", () => {
  it("passes on the content as it is, and prints every item's age", async () => {
    const fresh = await runChild(process.execPath, ["dist/tools/content-check.js"], { timeoutMs: 90_000 });
    expectExit(fresh, 0, "content:check");
    expect(fresh.stdout).not.toMatch(/^PROBLEM/m);
    expect(fresh.stdout).toMatch(/turn-backs\s+confirmed\s+2026-06-25\s+2026-11-29\s+\d+ days/);
    expect(fresh.stdout).toMatch(/grant-rate-russians-2025\s+unverified.*\(never shown\)/);
  });

  it.skipIf(FAKETIME === undefined)(`a year later warns past the limit, but time alone never fails it${skipReason(inject("tools"), "faketime")}`, async () => {
    // Under faketime (Debian's libfaketime): the clock of the content check alone is moved.
    const later = await runChild(FAKETIME!, ["2027-12-01 12:00:00", process.execPath, "dist/tools/content-check.js"], { timeoutMs: 90_000 });
    expectExit(later, 0, "content:check under faketime");
    expect(later.stdout).toMatch(/turn-backs\s+confirmed\s+2026-06-25\s+2026-11-29\s+36\d days/);
    expect(later.stdout).toMatch(/WARNING: \d+ shown update\(s\) were last checked more than 90 days ago/);
  });
});
