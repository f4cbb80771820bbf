import { expect, it } from "vitest";
import { runChild } from "./support/process.js";

/**
 * `npm run typecheck` (tsc over src, tools, bench and the tests) as a test among the others rather
 * than a step before them: about 8 s of one core that the run's other files share instead of
 * waiting on. A type error fails the run with tsc's own lines.
 */
it("the code type-checks (npm run typecheck)", async () => {
  const tsc = await runChild(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "."], { timeoutMs: 110_000 });
  expect(tsc.output.trim(), "tsc -p . reported").toBe("");
  expect(tsc.status).toBe(0);
});
