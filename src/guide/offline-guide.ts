import { date, firmAbout, itemLabels, listDates, noteLine, notesHeader, type RenderContext, situationsText, sourceLine } from "../content/render.js";
import type { Topic, UpdateItem } from "../content/schema.js";
import { escapeHtml } from "../telegram/html.js";

/**
 * The offline guide: one HTML file with a short summary and the contacts on top, every topic,
 * the dated changes with links to their sources, and the disclaimer, for readers who cannot use
 * Telegram (it is reported blocked in Russia). It makes no network requests and needs no
 * scripts; it fits a phone's width; and it speaks as a document, never of buttons or commands.
 */
/** The section written for someone helping a person close to them: first in their copy, one tap from the top in others. */
const RELATIVES = "relatives";

export function buildOfflineGuide(r: RenderContext, generatedOn: Date, bookingUrl?: string, audience: "reader" | "relative" = "reader"): string {
  const t = r.t;
  const content = r.content;
  const recorded = date(r, content.recordedOn, "long");
  const stale = r.staleAfterDays === undefined ? "" : `<p class="warn">${t("common.stale", { date: date(r, content.updates.newestCheck), days: r.staleAfterDays })}</p>`;
  const relatives = content.topics.filter((topic) => topic.id === RELATIVES);
  const topics = audience === "relative" ? [...relatives, ...content.topics.filter((topic) => topic.id !== RELATIVES)] : content.topics;
  const toc = topics.map((topic) => `<li><a href="#${topic.id}">${t(`topics.${topic.id}.title`)}</a></li>`).join("\n");
  const forRelatives = relatives.length === 0 ? "" : `<p><a href="#${RELATIVES}">${t("guide.forRelatives")}</a></p>`;
  return `<!doctype html>
<html lang="${r.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(t("guide.docTitle"))}</title>
<style>
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{font:17px/1.5 -apple-system,system-ui,"Segoe UI",Roboto,Arial,sans-serif;margin:0 auto;max-width:42em;padding:1em;color:#111;background:#fff;overflow-wrap:anywhere;word-break:break-word;hyphens:auto}
h1{font-size:1.4em;line-height:1.25}h2{font-size:1.2em;line-height:1.3;margin-top:2em;border-top:1px solid #ccc;padding-top:1em}h3{font-size:1.05em}
.box{border:2px solid #0645ad;border-radius:8px;padding:.4em 1em;margin:1em 0}
.note{background:#fff6d6;border-left:4px solid #e0b000;padding:.5em .8em;margin:1em 0}.warn{background:#ffe2e0;border-left:4px solid #c00;padding:.5em .8em}
.src{color:#555;font-size:.9em}.entry{margin:1em 0}ul,ol{padding-left:1.3em}a{color:#0645ad}
details{border-top:1px solid #ccc;margin-top:.6em}summary{cursor:pointer;padding:.5em 0}summary h2{display:inline;border:0;margin:0;padding:0;font-size:1.15em}
@media (prefers-color-scheme:dark){body{background:#111;color:#eee}.note{background:#3a3000}.warn{background:#4a1410}.src{color:#aaa}a{color:#8ab4f8}.box{border-color:#8ab4f8}}
</style>
</head>
<body>
<h1>${escapeHtml(t("guide.docTitle"))}</h1>
<p>${t("guide.intro", { recorded, generated: date(r, generatedOn.toISOString().slice(0, 10), "long") })}</p>
${stale}
<section class="box" id="summary">
<h2 style="margin-top:.5em;border:0;padding:0">${t("guide.summaryTitle")}</h2>
${paragraphs(t("guide.summary"))}
${forRelatives}
<h3>${t("guide.contactTitle")}</h3>
${contacts(r, bookingUrl)}
<p>${t("common.disclaimer")}</p>
</section>
<h2 id="contents">${t("guide.contents")}</h2>
<ol>
${toc}
</ol>
<p class="src">${t("guide.foldHint")}</p>
${topics.map((topic) => (topic.kind === "updates" ? updatesSection(r) : topicSection(r, topic, audience === "relative" && topic.id === RELATIVES))).join("\n")}
<p class="src">${t("guide.privacyNote")}</p>
</body>
</html>
`;
}

/** The firm's contacts, once, at the top: what a reader without Telegram most needs. */
function contacts(r: RenderContext, bookingUrl: string | undefined): string {
  const t = r.t;
  const firm = r.content.firm;
  const lines = [
    ...firmAbout(t, r.lang, firm),
    ...(firm.phone === "" ? [] : [`📞 <a href="tel:${firm.phone.replace(/[^+\d]/g, "")}"><b>${escapeHtml(firm.phone)}</b></a>`, ...(firm.phone.startsWith("+1") ? [t("handoff.phoneAbroad")] : [])]),
    ...(firm.email === "" ? [] : [`✉️ <a href="mailto:${escapeHtml(firm.email)}">${escapeHtml(firm.email)}</a>`]),
    ...(firm.messenger.url === "" ? [] : [`💬 <a href="${escapeHtml(firm.messenger.url)}">${escapeHtml(firm.messenger.label)}</a>`]),
    ...(bookingUrl === undefined ? [] : [`📅 <a href="${escapeHtml(bookingUrl)}">${t("buttons.book")}</a>`, t("handoff.afterBooking")]),
  ];
  return `<p>${lines.join("<br>\n")}</p>`;
}

/** A section that folds (HTML details, no script): the guide reads as a list of titles until one is opened. */
function folded(id: string, title: string, body: string[], open: boolean): string {
  return [`<section id="${id}">`, `<details${open ? " open" : ""}>`, `<summary><h2>${title}</h2></summary>`, ...body, "</details>", "</section>"].join("\n");
}

function topicSection(r: RenderContext, topic: Topic, open = false): string {
  const t = r.t;
  const own = `topics.${topic.id}.guideBody`;
  const body = t(own) === own ? t(`topics.${topic.id}.body`, { recorded: date(r, r.content.recordedOn, "long") }) : t(own);
  const notes = r.content.notesFor(topic.id);
  const parts = [paragraphs(body)];
  if (notes.length > 0) {
    const lines = notes.map((item) => `<li>${noteLine(r, item).replace(/^• /, "")} <a href="#update-${item.id}">↓</a></li>`);
    parts.push(`<div class="note">${notesHeader(r, notes)}<ul>${lines.join("")}</ul></div>`);
  }
  parts.push(`<p class="src">${sourceLine(r, topic)}</p>`, `<p class="src"><a href="#contents">↑ ${t("guide.contents")}</a></p>`);
  return folded(topic.id, t(`topics.${topic.id}.title`), parts, open);
}

/** Every dated change, by subject and newest first, with links to its sources. */
function updatesSection(r: RenderContext): string {
  const t = r.t;
  const u = r.content.updates;
  // The stale warning, when due, is at the top of the guide already.
  const checked = listDates({ ...r, staleAfterDays: undefined });
  const groups = u.groups
    .filter((g) => u.inGroup(g).length > 0)
    .map((g) => `<h3>${t(`updates.groups.${g}`)}</h3>\n${u.inGroup(g).map((item) => entry(r, item)).join("\n")}`);
  return folded(
    "updates",
    t("guide.updatesTitle"),
    [paragraphs(t("topics.updates.body", { recorded: date(r, r.content.recordedOn, "long") })), `<p class="src">${checked}</p>`, ...groups, `<p class="src"><a href="#contents">↑ ${t("guide.contents")}</a></p>`],
    false,
  );
}

function entry(r: RenderContext, item: UpdateItem): string {
  const t = r.t;
  const when = item.date === null ? t("common.law") : date(r, item.date);
  const label = ` · <i>${itemLabels(r, item, true).join(", ")}</i>`;
  const sources = item.sources
    .map((s) => {
      const name = escapeHtml(typeof s.publisher === "string" ? s.publisher : s.publisher[r.lang]) + (s.date === undefined ? "" : `, ${date(r, s.date)}`);
      return s.url === undefined ? name : `<a href="${escapeHtml(s.url)}">${name}</a>`;
    })
    .join("; ");
  return `<div class="entry" id="update-${item.id}"><p><b>${when}</b>${label} · ${t(`updates.items.${item.id}.text`)}</p><p class="src">${t("common.for")}: ${situationsText(r, item)}. ${t("common.sources")}: ${sources}</p></div>`;
}

/** Telegram text uses blank lines and "• " bullets; HTML wants paragraphs and line breaks. */
function paragraphs(telegramHtml: string): string {
  return telegramHtml
    .split(/\n{2,}/)
    .map((p) => `<p>${p.replace(/\n/g, "<br>\n")}</p>`)
    .join("\n");
}
