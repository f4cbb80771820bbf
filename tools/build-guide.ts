/**
 * npm run build:guide [folder] [--username bot_name]: writes the offline guide in both languages
 * (default folder: dist/guide), for the firm to publish or send outside Telegram.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { renderContext } from "../src/bot/screens.js";
import { CONTENT_DIR, DEFAULT_CONTENT_STALE_DAYS, LOCALES_DIR } from "../src/app.js";
import { loadContent } from "../src/content/content.js";
import { buildOfflineGuide } from "../src/guide/offline-guide.js";
import { createI18n, LANGUAGES, readLocales } from "../src/i18n.js";

const args = process.argv.slice(2);
const usernameAt = args.indexOf("--username");
const username = usernameAt >= 0 ? args.splice(usernameAt, 2)[1]! : (process.env.BOT_USERNAME ?? "asylum_basics_bot");
const folder = resolve(args[0] ?? "dist/guide");
const i18n = createI18n(readLocales(LOCALES_DIR));
const content = loadContent(CONTENT_DIR, i18n);
const bookingUrl = process.env.BOOKING_URL || undefined;
const deps = { content, i18n, now: Date.now, settings: { bookingUrl, contentStaleDays: Number(process.env.CONTENT_STALE_DAYS ?? DEFAULT_CONTENT_STALE_DAYS) } };
mkdirSync(folder, { recursive: true });
for (const lang of LANGUAGES) {
  const t = i18n.t(lang);
  const html = buildOfflineGuide(renderContext({ t, lang, me: { username } }, deps), new Date(), bookingUrl);
  const path = join(folder, t("guide.filename"));
  writeFileSync(path, html);
  console.log(`${path} (${Buffer.byteLength(html)} bytes)`);
}
