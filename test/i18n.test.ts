import { describe, expect, it } from "vitest";
import { LOCALES_DIR } from "../src/app.js";
import { createI18n, languageFromTelegram, localeKeys, readLocales } from "../src/i18n.js";

describe("locales", () => {
  const resources = readLocales(LOCALES_DIR);

  it("ru and en have exactly the same keys (plural forms aside, which each language has its own of)", () => {
    const keys = (lang: "ru" | "en") => [...new Set(localeKeys(resources[lang]).map((k) => k.replace(/_(?:zero|one|two|few|many|other)$/, "")))].sort();
    expect(keys("ru")).toEqual(keys("en"));
  });

  it("no text is empty or left as a placeholder", () => {
    const i18n = createI18n(resources);
    for (const lang of ["ru", "en"] as const) {
      for (const key of localeKeys(resources[lang])) {
        const text = i18n.t(lang)(key);
        expect(text.trim(), `${lang}:${key}`).not.toBe("");
        expect(text, `${lang}:${key}`).not.toMatch(/TODO|TBD|lorem|XXX/i);
      }
    }
  });

  it("Russian texts are Russian and English texts are English", () => {
    const i18n = createI18n(resources);
    for (const key of localeKeys(resources.ru).filter((k) => k.startsWith("topics.") && k.endsWith(".body"))) {
      expect(i18n.t("ru")(key), key).toMatch(/[а-я]{3}/);
      expect(i18n.t("en")(key), key).not.toMatch(/[а-я]/i);
    }
  });
});

describe("language detection", () => {
  it.each([
    ["ru", "ru"],
    ["uk", "ru"],
    ["be", "ru"],
    ["kk", "ru"],
    ["ru-RU", "ru"],
    ["en", "en"],
    ["de", "en"],
    [undefined, "en"],
    ["", "en"],
  ])("%s → %s", (code, lang) => {
    expect(languageFromTelegram(code)).toBe(lang);
  });
});
