import { createHmac } from "node:crypto";

/**
 * The only place a Telegram chat id is turned into anything that is stored or logged.
 * The result is an HMAC, so without the secret it cannot be reversed or even confirmed
 * by hashing a guessed id.
 */
export function createAnonymizer(secret: string): (chatId: number) => string {
  return (chatId) => createHmac("sha256", secret).update(`chat:${chatId}`).digest("base64url");
}

/** What logs may carry of an anonymous key: enough to follow one chat through a log, not to index it. */
export function shortKey(anonKey: string): string {
  return anonKey.slice(0, 8);
}
