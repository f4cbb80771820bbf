import { readFileSync } from "node:fs";
import { join } from "node:path";
import i18next, { type TFunction } from "i18next";
import { ContentError } from "./content/content-error.js";
import { escapeHtml } from "./telegram/html.js";

export const LANGUAGES = ["ru", "en"] as const;
export type Lang = (typeof LANGUAGES)[number];

/** Telegram clients that report these languages get Russian first; everyone else English. */
const RUSSIAN_READERS = new Set(["ru", "uk", "be", "kk"]);

export function languageFromTelegram(languageCode: string | undefined): Lang {
  const base = languageCode?.toLowerCase().split(/[-_]/, 1)[0];
  return base !== undefined && RUSSIAN_READERS.has(base) ? "ru" : "en";
}

export function isLang(value: unknown): value is Lang {
  return value === "ru" || value === "en";
}

export type Resources = Record<Lang, Record<string, unknown>>;
export type Translate = TFunction;

/** Both locale files; one an editor broke stops start-up with its name, like any content problem. */
export function readLocales(dir: string): Resources {
  const problems: string[] = [];
  const read = (lang: Lang): Record<string, unknown> => {
    const path = join(dir, `${lang}.json`);
    try {
      const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
      problems.push(`locales/${lang}.json: ${path} holds no object of texts`);
    } catch (error) {
      problems.push(`locales/${lang}.json: cannot read ${path}: ${(error as Error).message}`);
    }
    return {};
  };
  const resources = { ru: read("ru"), en: read("en") };
  if (problems.length > 0) throw new ContentError(problems);
  return resources;
}

export interface I18n {
  t(lang: Lang): Translate;
  /** Whether a key exists in a language (content validation asks this before start-up). */
  has(lang: Lang, key: string): boolean;
  resources: Resources;
}

export function createI18n(resources: Resources): I18n {
  const instance = i18next.createInstance();
  void instance.init({
    initAsync: false,
    resources: { ru: { translation: resources.ru }, en: { translation: resources.en } },
    lng: "en",
    fallbackLng: false,
    supportedLngs: [...LANGUAGES],
    // Interpolated values land in Telegram HTML, so they are escaped; markup lives in the locale text itself.
    interpolation: { escapeValue: true, escape: escapeHtml },
    returnNull: false,
  });
  const fixed = { ru: memoize(instance.getFixedT("ru")), en: memoize(instance.getFixedT("en")) };
  return {
    t: (lang) => fixed[lang],
    has: (lang, key) => instance.exists(key, { lng: lang }),
    resources,
  };
}

/** Most bounded: texts and their few interpolated values repeat endlessly, so each result is computed once. */
const MEMO_LIMIT = 20_000;

/**
 * i18next resolves keys, nesting and interpolation on every call, which dominated the cost of
 * handling an update. Resources never change while the bot runs, so a translation is a pure
 * function of its key and options and can be remembered.
 */
function memoize(t: TFunction): TFunction {
  const cache = new Map<string, string>();
  const memo = ((key: string, options?: Record<string, unknown>) => {
    const id = options === undefined ? key : `${key}\u0000${JSON.stringify(options)}`;
    let text = cache.get(id);
    if (text === undefined) {
      text = (t as (k: string, o?: unknown) => string)(key, options);
      if (cache.size >= MEMO_LIMIT) cache.clear();
      cache.set(id, text);
    }
    return text;
  }) as unknown as TFunction;
  return memo;
}

/** Every leaf key of a nested locale object, as dotted paths. */
export function localeKeys(tree: Record<string, unknown>, prefix = ""): string[] {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === "object" && value !== null && !Array.isArray(value)
      ? localeKeys(value as Record<string, unknown>, `${prefix}${key}.`)
      : [`${prefix}${key}`],
  );
}
