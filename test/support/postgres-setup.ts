import type { TestProject } from "vitest/node";
import { postgresBin, startCluster } from "../../tools/postgres-cluster.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The throw-away cluster's superuser address; undefined when PostgreSQL is not installed. */
    postgresUrl: string | undefined;
  }
}

/**
 * Vitest global setup: starts a throw-away PostgreSQL cluster for the run, when Debian's
 * postgresql package is installed, and removes it afterwards. Without it the PostgreSQL tests
 * are skipped with a message saying so, except in CI (CI is set), where they must run.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const bin = postgresBin();
  if (bin === undefined) {
    if (process.env.CI !== undefined) throw new Error("PostgreSQL is not installed, and CI must run its tests: .ci/run installs it (apt-get install postgresql)");
    console.warn("\nPostgreSQL is not installed: the tests on PostgreSQL are skipped. To run them: apt-get install postgresql\n");
    project.provide("postgresUrl", undefined);
    return () => undefined;
  }
  const cluster = await startCluster(bin);
  project.provide("postgresUrl", cluster.url);
  return () => cluster.stop();
}
