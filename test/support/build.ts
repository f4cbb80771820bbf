import { execFileSync } from "node:child_process";

/** Vitest global setup: transpile to dist/ once, so spawned processes run what `npm start` runs. */
export default function setup(): void {
  execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" });
}
