import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/** Debian's PostgreSQL binaries (under `root`), newest version first; undefined when the package is not installed. */
export function postgresBin(root = "/usr/lib/postgresql"): string | undefined {
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], "bin");
}

/** Picks a free port by listening and releasing it: another process may take it meanwhile, so the test suite never uses this (it listens on port 0). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((r) => server.close(r));
  return typeof address === "object" && address !== null ? address.port : 0;
}

export interface Cluster {
  /** A superuser connection to the cluster's "postgres" database. */
  url: string;
  /** The cluster's folder: its data, log and socket. */
  dir: string;
  stop(): void;
}

/** Runs a PostgreSQL program as the `postgres` user when root (PostgreSQL refuses to run as root). */
function runAs(bin: string, command: string, args: string[]): void {
  const root = process.getuid?.() === 0;
  const [c, a] = root ? ["runuser", ["-u", "postgres", "--", join(bin, command), ...args]] : [join(bin, command), args];
  const result = spawnSync(c, a, { encoding: "utf8", timeout: 60_000 });
  if (result.status !== 0) throw new Error(`${command} failed${result.error ? ` (${result.error.message})` : ""}: ${result.stderr || result.stdout}`);
}

/** Stops the cluster in `dir` at once (its data is thrown away anyway), if it runs. */
export function stopCluster(bin: string, dir: string): void {
  const data = join(dir, "data");
  if (existsSync(join(data, "postmaster.pid"))) runAs(bin, "pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
}

/**
 * A throw-away PostgreSQL cluster in a temporary folder (under `parent`, the system's temp folder
 * by default), run as the `postgres` user when started by root, with trust authentication and,
 * unless asked otherwise, durability switched off: it exists for one run and is removed
 * afterwards. It listens on a Unix socket in its own folder and on no TCP port, so clusters never
 * compete for ports.
 */
export async function startCluster(bin: string, options: { durable?: boolean; parent?: string } = {}): Promise<Cluster> {
  const dir = mkdtempSync(join(options.parent ?? tmpdir(), "asylum-pg-"));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, "data");
  runAs(bin, "initdb", ["-D", data, "-U", "bot", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-instructions"]);
  // Tests need no durability; a benchmark measures what a deployment pays for it.
  const durability = options.durable === true ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
  const settings = `-k ${dir} -p 5432 -c listen_addresses='' -c max_connections=300${durability}`;
  runAs(bin, "pg_ctl", ["-D", data, "-o", settings, "-l", join(dir, "log"), "-w", "start"]);
  return {
    url: `postgres://bot@localhost/postgres?host=${encodeURIComponent(dir)}`,
    dir,
    stop() {
      try {
        stopCluster(bin, dir);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** A fresh, empty database on a cluster; returns its address. */
export async function createDatabase(clusterUrl: string, prefix = "t"): Promise<string> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: clusterUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(clusterUrl);
  url.pathname = `/${name}`;
  return url.href;
}
