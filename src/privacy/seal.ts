import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

/**
 * Updates wait in the database's inbox between being fetched and being handled (run/polling.ts),
 * and an update carries who sent it and what they wrote. So the inbox holds them only sealed:
 * AES-256-GCM under a key derived from the anonymous-key secret, which the database never holds.
 * A row lives for the moments its update is handled, and is then deleted (SQLite overwrites
 * deleted rows: engine.ts).
 */
export interface Sealer {
  seal(text: string): string;
  /** The text, or undefined when the box was not sealed with this secret or was altered. */
  open(box: string): string | undefined;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

export function createSealer(secret: string): Sealer {
  const key = Buffer.from(hkdfSync("sha256", secret, "", "asylum-basics-bot inbox v1", 32));
  return {
    seal(text) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const body = Buffer.concat([cipher.update(text, "utf8"), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64");
    },
    open(box) {
      try {
        const raw = Buffer.from(box, "base64");
        const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, IV_BYTES));
        decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
      } catch {
        return undefined;
      }
    },
  };
}

/**
 * What is kept of an update set aside after failing again and again, for the operator to look
 * at: its structure, every value replaced by its kind and a string's length. No id, name or text.
 */
export function shapeOf(value: unknown): unknown {
  if (value === null) return null;
  if (Array.isArray(value)) return value.slice(0, 20).map(shapeOf);
  switch (typeof value) {
    case "object":
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, shapeOf(v)]));
    case "string":
      return `string(${value.length})`;
    default:
      return typeof value;
  }
}
