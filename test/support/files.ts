import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** Every byte the bot wrote under a data folder: the database, its WAL and shared memory, the secret. */
export function allBytes(dir: string): Buffer {
  return Buffer.concat(readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => readFileSync(join(e.parentPath, e.name))));
}

/** The byte forms a value may take on disk: UTF-8, and for text also JSON-escaped. */
export function forms(value: string): string[] {
  return [value, JSON.stringify(value).slice(1, -1)];
}
