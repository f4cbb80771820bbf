import { defineConfig } from "vitest/config";
import { findTools } from "./test/support/tools.js";

/**
 * Files whose behaviour depends on the database engine: they run a second time with PostgreSQL
 * as the database (TEST_ENGINE=postgres). A file belongs here when what it checks goes through
 * storage in a way the engines do differently:
 *
 * - storage: sessions, conversations, migrations, refusals, the sweep, `once`; it runs both
 *   engines itself, so it is not listed, and neither is replicas (PostgreSQL only);
 * - guided: the conversation's replay state, written and read back at every step (JSON in a
 *   row), across a restart, and nothing left of it once the route is shown;
 * - privacy: what the database holds after a session, /forget's deletions, the sweep's SQL;
 * - stats: counters committed and summed into 7- and 30-day windows by SQL;
 * - http: the same update delivered three times at once (the unit of work's handled mark under
 *   concurrent transactions), /healthz asking the database;
 * - robustness: rate counts (in the database on PostgreSQL, in memory on SQLite), and double taps
 *   on a button that sends a message (the unit of work);
 * - fuzz: arbitrary update sequences and text through the whole stack, storage included (what
 *   one engine stores, another may refuse).
 *
 * The others render content and run the features on top of the same storage interface, through
 * paths the files above already exercise on both engines: first contact, topics, guided routes,
 * updates, the handoff, the urgent lane, typed text, inline mode, the screens' sizes, the random
 * walk. Processes (process, faults, the emulator) run on SQLite; replicas run on PostgreSQL.
 */
const engineDependent = ["guided", "privacy", "stats", "http", "robustness", "fuzz"].map((name) => `test/${name}.test.ts`);

/**
 * Timeouts are deadlines for a failure on a loaded machine (two full runs at once on two cores),
 * not measures of speed; a test that waits on a child process gives it its own, shorter one.
 */
const common = { testTimeout: 120_000, hookTimeout: 120_000, pool: "forks" as const, isolate: false };

export default defineConfig({
  test: {
    // Many tests wait on child processes, sockets and PostgreSQL rather than the CPU: four files
    // at a time keep two cores busy.
    maxWorkers: 4,
    teardownTimeout: 60_000,
    // One global setup for both projects (the root's runs once): the tools, the build, the run's
    // temp folder and its watchdog, the PostgreSQL cluster.
    globalSetup: ["test/support/global-setup.ts"],
    projects: [
      { test: { ...common, name: "sqlite", include: ["test/**/*.test.ts"] } },
      // Without PostgreSQL the second pass is left out (the global setup says what to install; CI fails).
      ...(findTools().postgres === undefined ? [] : [{ test: { ...common, name: "postgres", include: engineDependent, env: { TEST_ENGINE: "postgres" } } }]),
    ],
  },
});
