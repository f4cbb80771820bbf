import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export interface SecretSource {
  secret: string;
  /** Where the secret came from, for the start-up log line. Never the secret itself. */
  origin: "environment" | "generated" | "file";
  path?: string;
}

/**
 * The anonymous-key secret: ANON_SECRET if set, otherwise a file beside the database,
 * created on first start with owner-only permissions so restarts keep the same keys.
 */
export function loadAnonSecret(fromEnv: string | undefined, databasePath: string): SecretSource {
  if (fromEnv !== undefined) return { secret: fromEnv, origin: "environment" };
  const dir = databasePath === ":memory:" ? undefined : dirname(databasePath);
  if (dir === undefined) return { secret: randomBytes(32).toString("base64url"), origin: "generated" };
  const path = join(dir, "anon-secret");
  if (existsSync(path)) {
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
    const secret = readFileSync(path, "utf8").trim();
    if (secret.length < 32) throw new Error(`The anonymous-key secret in ${path} is shorter than 32 characters; restore it or delete it to start afresh.`);
    return { secret, origin: "file", path };
  }
  mkdirSync(dir, { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: "wx" });
  return { secret, origin: "generated", path };
}
