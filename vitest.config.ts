import { defineConfig } from "vitest/config";

/** Tests that run the whole bot: they run a second time with PostgreSQL as the database. */
const endToEnd = ["first-contact", "topics", "guided", "updates", "handoff", "free-text", "inline", "privacy", "robustness", "random-walk", "screens", "fuzz", "stats", "http"].map((name) => `test/${name}.test.ts`);

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Many tests wait on child processes, sockets and PostgreSQL rather than the CPU: four at a
    // time halves the run on a two-core machine (212 s to 122 s); six gained nothing.
    maxWorkers: 4,
    // Tests start the bot as production does (node dist/src/main.js), so the build comes first; a
    // throw-away PostgreSQL cluster serves the tests that use one (skipped, saying so, where it is not installed).
    globalSetup: ["test/support/build.ts", "test/support/postgres-setup.ts"],
    projects: [
      { extends: true, test: { name: "sqlite", include: ["test/**/*.test.ts"] } },
      { extends: true, test: { name: "postgres", include: endToEnd, env: { TEST_ENGINE: "postgres" } } },
    ],
  },
});
