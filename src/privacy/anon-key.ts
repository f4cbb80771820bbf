import { createHmac } from "node:crypto";

/**
 * The only place a Telegram chat id is turned into anything that is stored or logged.
 * The result is an HMAC, so without the secret it cannot be reversed or even confirmed
 * by hashing a guessed id.
 */
export function createAnonymizer(secret: string): (chatId: number) => string {
  // Recent results are kept in memory (never on disk): an HMAC per update is measurable work.
  const recent = new Map<number, string>();
  return (chatId) => {
    let key = recent.get(chatId);
    if (key === undefined) {
      key = createHmac("sha256", secret).update(`chat:${chatId}`).digest("base64url");
      if (recent.size >= 10_000) recent.clear();
      recent.set(chatId, key);
    }
    return key;
  };
}

/** What logs may carry of an anonymous key: enough to follow one chat through a log, not to index it. */
export function shortKey(anonKey: string): string {
  return anonKey.slice(0, 8);
}
