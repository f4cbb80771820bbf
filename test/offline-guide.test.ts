import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startTestBot, type TestBot } from "./support/harness.js";

let tb: TestBot;
afterEach(() => {
  expect(tb?.tg.rejected ?? [], "Bot API calls rejected").toEqual([]);
  tb?.close();
});

/** Checks that a page can be read with no network and no scripts. */
function expectSelfContained(html: string) {
  expect(html).not.toMatch(/<script|<link|<iframe|<img|<object|<embed|<video|<audio|@import|url\(/i);
  expect(html).not.toMatch(/\s(?:src|srcset|action|formaction|poster|background)\s*=/i);
  expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
  expect(html).toContain('name="viewport"');
}

/** The ids of every element, by tag: enough structure to check what the guide contains. */
function sections(html: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const tag of ["section", "div"]) {
    for (const m of html.matchAll(new RegExp(`<${tag} [^>]*id="([^"]+)"[^>]*>([\\s\\S]*?)</${tag}>`, "g"))) found.set(m[1]!, m[2]!);
  }
  return found;
}

describe("offline guide", () => {
  it("/guide sends one HTML document in the chosen language with every topic, every update, the contacts, dates and the disclaimer", async () => {
    tb = await startTestBot({ bookingUrl: "https://firm.example/book" });
    for (const lang of ["ru", "en"] as const) {
      const user = tb.user({ language_code: lang });
      await user.send("/guide");
      const message = user.lastBotMessage()!;
      expect(message.document).toBeDefined();
      expect(message.document!.file_name).toBe(`asylum-basics-${lang}.html`);
      const html = message.document!.content.toString("utf8");
      expectSelfContained(html);
      expect(html).toContain(`<html lang="${lang}">`);
      const found = sections(html);
      for (const topic of tb.app.deps.content.topics) {
        expect(found.has(topic.id), `${lang} guide has topic ${topic.id}`).toBe(true);
        expect(html).toContain(tb.app.deps.i18n.t(lang)(`topics.${topic.id}.title`));
      }
      for (const item of tb.app.deps.content.updates.items) {
        const block = found.get(`update-${item.id}`);
        expect(block, `${lang} guide has update ${item.id}`).toBeDefined();
        expect(block).toContain(tb.app.deps.i18n.t(lang)(`updates.items.${item.id}.source`));
      }
      expect(html).not.toContain("fee-stayed");
      expect(html).toContain("+1 646-859-0205");
      expect(html).toContain(lang === "ru" ? "не юридическая консультация" : "not legal advice");
      expect(html).toContain(lang === "ru" ? "21 октября 2022" : "21 October 2022");
      expect(html).toContain("28.11.2026".replace(/\./g, lang === "ru" ? "." : "/"));
    }
  });

  const chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => {
    try {
      execFileSync(p, ["--version"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  });

  // Runs where Debian's chromium is installed (apt-get install chromium); reported as skipped elsewhere.
  it.skipIf(chromium === undefined)("renders in a headless browser with the network off", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "ru" });
    await user.send("/guide");
    const dir = mkdtempSync(join(tmpdir(), "guide-"));
    const file = join(dir, "guide.html");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(file, user.lastBotMessage()!.document!.content);
    const dom = execFileSync(chromium!, ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", `--user-data-dir=${join(dir, "profile")}`, "--proxy-server=127.0.0.1:9", "--dump-dom", `file://${file}`], { encoding: "utf8", timeout: 30_000, stdio: ["ignore", "pipe", "ignore"] });
    expect(dom).toContain("Залог (бонд): как выйти");
  });

  it("npm run build:guide writes both languages to a folder", () => {
    const dir = mkdtempSync(join(tmpdir(), "guide-build-"));
    execFileSync("npm", ["run", "--silent", "build:guide", "--", dir], { encoding: "utf8" });
    expect(readdirSync(dir).sort()).toEqual(["asylum-basics-en.html", "asylum-basics-ru.html"]);
    expectSelfContained(readFileSync(join(dir, "asylum-basics-ru.html"), "utf8"));
  });
});
