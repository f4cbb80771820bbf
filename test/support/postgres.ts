import { inject } from "vitest";
import { createDatabase } from "../../tools/postgres-cluster.js";
import { skipReason } from "./tools.js";

/** The run's PostgreSQL cluster, or undefined when it is not installed (see global-setup.ts). */
export const POSTGRES_URL = inject("postgresUrl");

/** Why a PostgreSQL test is skipped here, for describe.skipIf(...)'s name. */
export const NO_POSTGRES = skipReason(inject("tools"), "postgres");

/** A fresh, empty database on the run's cluster. */
export function postgresFor(): Promise<string> {
  if (POSTGRES_URL === undefined) throw new Error("PostgreSQL is not installed (apt-get install postgresql)");
  return createDatabase(POSTGRES_URL);
}
