import type { Translate } from "../i18n.js";

const formats = new Map<string, Intl.DateTimeFormat>();

function format(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = formats.get(key);
  if (f === undefined) formats.set(key, (f = new Intl.DateTimeFormat(locale, { ...options, timeZone: "UTC" })));
  return f;
}

const texts = new Map<string, string>();

/** The UTC day of a moment as YYYY-MM-DD, the form formatDate reads and the stats' days are keyed by. */
export function isoDay(at: number | Date): string {
  return new Date(at).toISOString().slice(0, 10);
}

/**
 * A date as readers see it, never ambiguous: "21 October 2022" or "25 Jun 2026" in English,
 * "21 октября 2022 года" or "25 июня 2026 г." in Russian. Accepts YYYY-MM-DD, or YYYY-MM when only
 * the month is known ("Apr 2025", "апрель 2025 г."). Dates are few and fixed, so each text is
 * made once.
 */
export function formatDate(t: Translate, iso: string, style: "long" | "short" = "long"): string {
  const locale = t("meta.dateLocale");
  const key = `${locale}|${style}|${iso}`;
  let text = texts.get(key);
  if (text === undefined) {
    const monthOnly = iso.length === 7;
    // Russian abbreviations ("апр.") read worse than the full month, so only English shortens it.
    const month = style === "long" || locale.startsWith("ru") ? "long" : "short";
    const date = new Date(`${monthOnly ? `${iso}-01` : iso}T00:00:00Z`);
    text = monthOnly
      ? format(locale, { month, year: "numeric" }).format(date)
      : format(locale, { day: "numeric", month, year: "numeric" }).format(date);
    // English abbreviates every month to three letters; Intl writes "Sept" for September in en-GB.
    if (locale.startsWith("en")) text = text.replace(/\bSept\b/, "Sep");
    if (locale.startsWith("ru")) {
      // Intl writes "г." after the year; prose reads better with the full word.
      text = style === "long" ? text.replace(/\s*г\.$/, " года") : text;
    }
    texts.set(key, text);
  }
  return text;
}

/** Whole days from one ISO day to a moment. */
export function daysSince(isoDay: string, nowMs: number): number {
  return Math.floor((nowMs - Date.parse(`${isoDay}T00:00:00Z`)) / 86_400_000);
}
