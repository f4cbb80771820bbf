/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { removeDir, startTestBot, type TestBot } from "./support/harness.js";
import { expectExit, runChild } from "./support/process.js";
import { skipReason } from "./support/tools.js";
import { en, ru, texts } from "./support/texts.js";

let tb: TestBot | undefined;
afterEach(async () => {
  expect(tb?.tg.rejected ?? [], "Bot API calls rejected").toEqual([]);
  await tb?.close();
  tb = undefined;
});

/** Checks that a page can be read with no network and no scripts. */
function expectSelfContained(html: string) {
  expect(html).not.toMatch(/<script|<link|<iframe|<img|<object|<embed|<video|<audio|@import|url\(/i);
  expect(html).not.toMatch(/\s(?:src|srcset|action|formaction|poster|background)\s*=/i);
  expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
  expect(html).toContain('name="viewport"');
}

/** What a reader sees of some HTML: its text, with entities decoded. */
function htmlText(html: string): string {
  return html.replace(/<[^>]+>/g, "").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** Elements with an id, by id: enough structure to check what the guide contains. */
function sections(html: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const tag of ["section", "div"]) {
    for (const m of html.matchAll(new RegExp(`<${tag} [^>]*id="([^"]+)"[^>]*>([\\s\\S]*?)</${tag}>`, "g"))) found.set(m[1]!, m[2]!);
  }
  return found;
}

async function guideFor(lang: "ru" | "en"): Promise<{ name: string; html: string }> {
  tb ??= await startTestBot({ bookingUrl: "https://firm.example/book" });
  const user = tb.user({ language_code: lang });
  await user.send("/start");
  await user.pressData(`og:${lang}`);
  const document = user.lastBotMessage()!.document!;
  return { name: document.file_name, html: document.content.toString("utf8") };
}

describe("offline guide", () => {
  it.each(["ru", "en"] as const)("%s: one self-contained HTML file with every topic, every shown change with linked sources, the contacts once, dates and the disclaimer", async (lang) => {
    const t = texts(lang);
    const { name, html } = await guideFor(lang);
    // A neutral name: nothing in it says what the file is about, should the phone be inspected.
    expect(name).toBe(`guide-${lang}.html`);
    expectSelfContained(html);
    expect(html).toContain(`<html lang="${lang}">`);
    const found = sections(html);
    for (const topic of tb!.app.deps.content.topics) expect(found.has(topic.id), `${lang} guide has topic ${topic.id}`).toBe(true);
    for (const item of tb!.app.deps.content.updates.all) {
      const block = found.get(`update-${item.id}`);
      if (item.grade === "unverified") {
        expect(block, `${lang} never shows ${item.id}`).toBeUndefined();
        continue;
      }
      expect(block, `${lang} guide has update ${item.id}`).toBeDefined();
      for (const source of item.sources) if (source.url !== undefined) expect(block).toContain(`href="${source.url.replace(/&/g, "&amp;")}"`);
    }
    // The summary with the phone, at the top, and the contacts nowhere else.
    const summary = found.get("summary")!;
    expect(summary).toContain("+1 646-859-0205");
    expect(html.indexOf("+1 646-859-0205")).toBeLessThan(html.indexOf('id="contents"'));
    expect(html.split("+1 646-859-0205").length - 1).toBe(1);
    expect(html).toContain(t("common.disclaimer"));
    expect(html).toContain(lang === "ru" ? "21 октября 2022 года" : "21 October 2022");
  });

  it.each(["ru", "en"] as const)("%s: makes sense without Telegram: no commands, no buttons to press", async (lang) => {
    const { html } = await guideFor(lang);
    const text = html.replace(/<[^>]+>/g, " ");
    expect(text).not.toMatch(/(^|\s)\/[a-z]{3,}\b/);
    expect(text).not.toMatch(lang === "en" ? /\bpress (the|a|this)\b|\btap\b|\bbutton/i : /нажм|кнопк/i);
  });

  it.each(["ru", "en"] as const)("%s: opens with the summary box and the contents; every section folds (details, no script); the relatives' section is one tap from the top", async (lang) => {
    const t = texts(lang);
    const { html } = await guideFor(lang);
    const order = ['id="summary"', 'id="contents"', "<details"].map((m) => html.indexOf(m));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    for (const topic of tb!.app.deps.content.topics) {
      expect(html, topic.id).toMatch(new RegExp(`<section id="${topic.id}">\\s*<details>\\s*<summary><h2>`));
    }
    const summary = sections(html).get("summary")!;
    expect(summary).toContain(`<a href="#relatives">${t("guide.forRelatives")}</a>`);
  });

  it.each(["ru", "en"] as const)("%s: says what to do if someone is detained (ICE's locator, the A-number, bond as it stands, outside the US) and where free legal help is, and reads as a file, not a chat", async (lang) => {
    const t = texts(lang);
    const { html } = await guideFor(lang);
    const found = sections(html);
    const detained = found.get("detained")!;
    expect(detained).toContain('href="https://locator.ice.gov/odls/"');
    expect(htmlText(detained)).toContain(t("urgent.detained.anumber"));
    for (const item of tb!.app.deps.content.notesFor("bond")) expect(detained, item.id).toContain(`href="#update-${item.id}"`);
    for (const key of ["urgent.russia.silent", "urgent.abroad.silent", "urgent.callFirm"]) expect(htmlText(detained), key).toContain(t(key));
    const free = found.get("free-help")!;
    expect(free).toContain('href="https://www.justice.gov/eoir/list-pro-bono-legal-service-providers"');
    expect(htmlText(free)).toContain(t("guide.freeHelpFirm"));
    // One tap from the top, in the contents, and right after the relatives' section.
    expect(found.get("summary")).toContain(`<a href="#detained">${t("guide.forDetained")}</a>`);
    const order = [...html.matchAll(/<section id="([^"]+)">/g)].map((m) => m[1]);
    expect(order.slice(order.indexOf("relatives"), order.indexOf("relatives") + 3)).toEqual(["relatives", "detained", "free-help"]);
    // Pinned on purpose (reader's report): a file is not a chat, and the bot does not open inside it.
    expect(htmlText(html)).not.toMatch(lang === "ru" ? /Этот бот откроется|этот чат|этом чате/ : /This bot opens|this chat/i);
  });

  it("a source link that opens a copy on another site names the original publisher and says it is a copy", async () => {
    const { html } = await guideFor("ru");
    const deps = tb!.app.deps;
    const copies = deps.content.updates.items.flatMap((item) => item.sources.filter((s) => s.copyAt !== undefined).map((s) => ({ item, s })));
    // The verified list's "via mirror" links: efinder.lk, Local News Wave, breathtakinglagoon.com, a cloudfront host…
    expect(copies.map(({ s }) => new URL(s.url!).hostname)).toEqual(expect.arrayContaining(["efinder.lk", "localnewswave.com", "breathtakinglagoon.com", "dfnihf8fcqrzv.cloudfront.net"]));
    for (const { item, s } of copies) {
      const block = sections(html).get(`update-${item.id}`)!;
      const link = block.match(new RegExp(`<a href="${s.url!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/&/g, "&amp;")}">([^<]*)</a>`))?.[1];
      const publisher = typeof s.publisher === "string" ? s.publisher : s.publisher.ru;
      expect(link, s.url).toContain(publisher);
      expect(link, s.url).toContain(ru("guide.copyAt", { site: s.copyAt }));
    }
  });

  it("the copy sent to a relative opens with the relatives' section, unfolded, first in the contents", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "en" });
    await user.send("/start en-relatives");
    await user.press(en("buttons.guideRu"));
    const document = user.lastBotMessage()!.document!;
    const html = document.content.toString("utf8");
    const sectionsInOrder = [...html.matchAll(/<section id="([^"]+)">/g)].map((m) => m[1]);
    expect(sectionsInOrder[0]).toBe("relatives");
    expect(html).toMatch(/<section id="relatives">\s*<details open>/);
    expect(html.match(/<ol>\s*<li><a href="#([^"]+)"/)![1]).toBe("relatives");
    // The English reader's caption names the file's language in English.
    expect(user.lastBotMessage()!.caption).toContain(`(${en("guide.language.ru")})`);
    expect(user.lastBotMessage()!.caption).not.toContain("Русский");
  });

  it("the caption names the file's language in the reader's language", async () => {
    tb = await startTestBot();
    const user = tb.user({ language_code: "ru" });
    await user.send("/start");
    await user.pressData("og:en");
    expect(user.lastBotMessage()!.caption).toContain(`(${ru("guide.language.en")})`);
  });

  it("build:guide (what `npm run build:guide` runs after building) writes both languages to a folder", async () => {
    const dir = mkdtempSync(join(tmpdir(), "guide-build-"));
    try {
      expectExit(await runChild(process.execPath, ["dist/tools/build-guide.js", dir], { timeoutMs: 60_000 }), 0, "build:guide");
      expect(readdirSync(dir).sort()).toEqual([en("guide.filename"), ru("guide.filename")].sort());
      expectSelfContained(readFileSync(join(dir, ru("guide.filename")), "utf8"));
    } finally {
      removeDir(dir);
    }
  });
});

/**
 * The guide as a phone shows it, in Debian's headless Chromium driven by playwright-core. CI
 * installs chromium (.ci/run), and without it there the run fails at its start (global-setup.ts);
 * elsewhere these tests are skipped, saying what to install.
 */
const CHROMIUM = inject("tools").chromium;

describe.skipIf(CHROMIUM === undefined)(`the offline guide on a phone${skipReason(inject("tools"), "chromium")}`, () => {
  type Browser = Awaited<ReturnType<typeof import("playwright-core")["chromium"]["launch"]>>;
  let browser: Browser;
  let pages: string;
  beforeAll(async () => {
    pages = mkdtempSync(join(tmpdir(), "guide-"));
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
    });
  });
  afterAll(async () => {
    await browser?.close();
    removeDir(pages);
  });

  it.each([
    ["ru", 360],
    ["ru", 390],
    ["en", 360],
    ["en", 390],
  ] as const)("%s at %i px: no horizontal overflow, every element within the screen, the summary and phone on top", async (lang, width) => {
    const { html } = await guideFor(lang);
    const file = join(pages, `guide-${lang}-${width}.html`);
    writeFileSync(file, html);
    const context = await browser.newContext({ viewport: { width, height: 800 }, offline: true, javaScriptEnabled: false });
    const page = await context.newPage();
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(`file://${file}`);
    const m = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
      widest: Math.max(...[...document.querySelectorAll("body *")].map((e) => e.getBoundingClientRect().right)),
      summaryTop: document.getElementById("summary")!.getBoundingClientRect().top,
      title: document.querySelector("h1")!.textContent,
    }));
    expect(m.scroll, `${lang} page width at ${width}px`).toBeLessThanOrEqual(width);
    // Every section unfolded, as a reader opens them: still nothing wider than the screen.
    const unfolded = await page.evaluate(() => {
      for (const d of document.querySelectorAll("details")) d.open = true;
      return {
        scroll: document.documentElement.scrollWidth,
        widest: Math.max(...[...document.querySelectorAll("body *")].map((e) => e.getBoundingClientRect().right)),
        folds: document.querySelectorAll("details").length,
      };
    });
    expect(unfolded.folds).toBeGreaterThan(10);
    expect(unfolded.scroll, `${lang} unfolded page width at ${width}px`).toBeLessThanOrEqual(width);
    expect(unfolded.widest, `${lang} widest unfolded element at ${width}px`).toBeLessThanOrEqual(width);
    expect(m.widest, `${lang} widest element at ${width}px`).toBeLessThanOrEqual(width);
    expect(m.summaryTop).toBeLessThan(800);
    expect(m.title).toBe(texts(lang)("guide.docTitle"));
    expect(requests.filter((u) => !u.startsWith("file:"))).toEqual([]);
    await context.close();
  });
});
