import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { assemble, LOCALES_DIR } from "../src/app.js";
import { ContentError } from "../src/content/content.js";
import { createLogger } from "../src/logger.js";
import { LogCapture } from "./support/harness.js";
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

  it("/help describes every command it lists, each in its own words: /forget deletes, /privacy explains", () => {
    const i18n = createI18n(resources);
    for (const lang of ["ru", "en"] as const) {
      const lines = i18n.t(lang)("help.text", { username: "bot", disclaimer: "" }).split("\n");
      const described = new Map(lines.map((line) => /^\/(\w+)(?: — |: )(.+)$/.exec(line)).flatMap((m) => (m === null ? [] : [[m[1]!, m[2]!] as const])));
      expect([...described.keys()], lang).toEqual(expect.arrayContaining(["start", "route", "privacy", "forget", "language"]));
      expect(new Set(described.values()).size, `${lang}: two commands described alike`).toBe(described.size);
      expect(described.get("forget"), lang).toMatch(lang === "ru" ? /^удалить/ : /^delete/);
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

describe("locale files", () => {
  it("a locale file an editor broke stops the app with a content error naming the file, not a database error", async () => {
    const dir = mkdtempSync(join(tmpdir(), "asylum-locales-"));
    try {
      cpSync(LOCALES_DIR, dir, { recursive: true });
      writeFileSync(join(dir, "ru.json"), readFileSync(join(LOCALES_DIR, "ru.json"), "utf8").replace(/,\s*"/, ' "'));
      writeFileSync(join(dir, "en.json"), "[]");
      const problems = (() => {
        try {
          readLocales(dir);
        } catch (error) {
          return error instanceof ContentError ? error.problems : [String(error)];
        }
        return [];
      })();
      expect(problems).toEqual([expect.stringMatching(/^locales\/ru\.json: cannot read .*ru\.json: /), expect.stringMatching(/^locales\/en\.json: .* holds no object of texts$/)]);
      const logger = createLogger({ level: "silent", destination: new LogCapture() });
      await expect(assemble({ localesDir: dir, databasePath: join(dir, "bot.sqlite"), logger })).rejects.toBeInstanceOf(ContentError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
