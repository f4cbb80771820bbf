import { createHmac, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export interface SecretSource {
  secret: string;
  /** Where the secret came from, for the start-up log line. Never the secret itself. */
  origin: "environment" | "file" | "generated";
  path?: string;
}

/** Where the secret lives beside a SQLite file, when ANON_SECRET is not set. */
export function secretPath(databasePath: string): string | undefined {
  return databasePath === ":memory:" ? undefined : join(dirname(databasePath), "anon-secret");
}

/** ANON_SECRET if set, otherwise the file beside the database if there is one; undefined if neither. */
export function readAnonSecret(fromEnv: string | undefined, databasePath: string | undefined): SecretSource | undefined {
  if (fromEnv !== undefined) return { secret: fromEnv, origin: "environment" };
  const path = databasePath === undefined ? undefined : secretPath(databasePath);
  if (path === undefined || !existsSync(path)) return undefined;
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  const secret = readFileSync(path, "utf8").trim();
  if (secret.length < 32) throw new Error(`The anonymous-key secret in ${path} is shorter than 32 characters; restore it from your backup.`);
  return { secret, origin: "file", path };
}

/** A new secret, kept beside the SQLite file (owner-only) so restarts keep the same keys. */
export function createAnonSecret(databasePath: string | undefined): SecretSource {
  const secret = randomBytes(32).toString("base64url");
  const path = databasePath === undefined ? undefined : secretPath(databasePath);
  if (path === undefined) return { secret, origin: "generated" };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: "wx" });
  return { secret, origin: "generated", path };
}

/**
 * What the database keeps of the secret, to notice a changed or lost one before every chat is
 * orphaned: an HMAC of a fixed text, from which the secret cannot be recovered.
 */
export function secretFingerprint(secret: string): string {
  return createHmac("sha256", secret).update("asylum-basics-bot anonymous-key fingerprint v1").digest("base64url").slice(0, 22);
}
