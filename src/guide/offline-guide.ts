import { isoDay } from "../content/dates.js";
import { citedPages, date, firmAbout, itemLabels, listDates, noteLine, notesHeader, pageAddress, pageCitation, type RenderContext, situationsText, sourceLine, sourcesMonth } from "../content/render.js";
import type { Source, Topic, UpdateItem } from "../content/schema.js";
import { escapeHtml } from "../telegram/html.js";

/**
 * The offline guide: one HTML file with a short summary and the contacts on top, every topic,
 * what to do if someone is detained and where to find free legal help, the dated changes with
 * links to their sources (a copy on another site named as such), and the disclaimer, for readers
 * who cannot use Telegram (it is reported blocked in Russia). It makes no network requests and
 * needs no scripts; it fits a phone's width; and it speaks as a document, never of buttons,
 * commands or "this chat".
 */
/** The section written for someone helping a person close to them: first in their copy, one tap from the top in others. */
const RELATIVES = "relatives";
/** The urgent lane's sections, right after the relatives' one: someone detained, and free legal help. */
const DETAINED = "detained";
const FREE_HELP = "free-help";
/** The bond topic: its notes are bond as it stands, as in the bot's urgent lane. */
const BOND = "bond";

interface GuideSection {
  id: string;
  title: string;
  html: () => string;
}

export function buildOfflineGuide(r: RenderContext, generatedOn: Date, bookingUrl?: string, audience: "reader" | "relative" = "reader"): string {
  const t = r.t;
  const content = r.content;
  const recorded = date(r, content.recordedOn, "long");
  const stale = r.staleAfterDays === undefined ? "" : `<p class="warn">${t("common.stale", { date: date(r, content.updates.newestCheck), days: r.staleAfterDays })}</p>`;
  const forRelative = audience === "relative";
  const urgent: GuideSection[] = [
    { id: DETAINED, title: t("guide.detainedTitle"), html: () => detainedSection(r, forRelative) },
    { id: FREE_HELP, title: t("guide.freeHelpTitle"), html: () => freeHelpSection(r) },
  ];
  const topicSections = content.topics.flatMap((topic): GuideSection[] => {
    const own: GuideSection = { id: topic.id, title: topicTitle(r, topic), html: () => (topic.kind === "updates" ? updatesSection(r) : topicSection(r, topic, forRelative && topic.id === RELATIVES)) };
    // Someone detained and free legal help follow the relatives' section: what a relative most needs after it.
    return topic.id === RELATIVES ? [own, ...urgent] : [own];
  });
  const relativesFirst = topicSections.filter((s) => s.id === RELATIVES || s.id === DETAINED || s.id === FREE_HELP);
  const ordered = forRelative && relativesFirst.length > 0 ? [...relativesFirst, ...topicSections.filter((s) => !relativesFirst.includes(s))] : topicSections;
  const toc = ordered.map((section) => `<li><a href="#${section.id}">${section.title}</a></li>`).join("\n");
  const hasRelatives = content.topics.some((topic) => topic.id === RELATIVES);
  const forRelatives = [
    ...(hasRelatives ? [`<a href="#${RELATIVES}">${t("guide.forRelatives")}</a>`] : []),
    `<a href="#${DETAINED}">${t("guide.forDetained")}</a>`,
  ]
    .map((link) => `<p>${link}</p>`)
    .join("\n");
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
<p>${t("guide.intro", { recorded, generated: date(r, isoDay(generatedOn), "long") })}</p>
${stale}
<section class="box" id="summary">
<h2 style="margin-top:.5em;border:0;padding:0">${t("guide.summaryTitle")}</h2>
${paragraphs(t("guide.summary"))}
${forRelatives}
<h3 id="contacts">${t("guide.contactTitle")}</h3>
${contacts(r, bookingUrl)}
<p>${t("common.disclaimer")}</p>
</section>
<h2 id="contents">${t("guide.contents")}</h2>
<ol>
${toc}
</ol>
<p class="src">${t("guide.foldHint")}</p>
${ordered.map((section) => section.html()).join("\n")}
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

/** A topic's title in the guide: its own where the bot's speaks of the bot ("your phone and this chat"). */
function topicTitle(r: RenderContext, topic: Topic): string {
  const own = `topics.${topic.id}.guideTitle`;
  return r.t(own) === own ? r.t(`topics.${topic.id}.title`) : r.t(own);
}

function topicSection(r: RenderContext, topic: Topic, open = false): string {
  const t = r.t;
  const own = `topics.${topic.id}.guideBody`;
  const hasOwn = t(own) !== own;
  const body = hasOwn ? t(own) : t(`topics.${topic.id}.body`, { recorded: date(r, r.content.recordedOn, "long") });
  const parts = [paragraphs(body)];
  const notes = r.content.notesFor(topic.id);
  if (notes.length > 0) parts.push(notesList(r, notes));
  // The official pages the shown text cites (its own guide text may cite fewer than the bot's).
  const source = topic.kind === "safety" ? t("common.source.safety", { pages: citedPages(r, [hasOwn ? own : `topics.${topic.id}.body`]).map((p) => pageCitation(r, p)).join("; "), interpolation: { escapeValue: false } }) : sourceLine(r, topic);
  parts.push(`<p class="src">${source}</p>`, backToContents(r));
  return folded(topic.id, topicTitle(r, topic), parts, open);
}

/** Dated notes, each linked to its full entry with sources further down. */
function notesList(r: RenderContext, notes: readonly UpdateItem[]): string {
  const lines = notes.map((item) => `<li>${noteLine(r, item).replace(/^• /, "")} <a href="#update-${item.id}">↓</a></li>`);
  return `<div class="note">${notesHeader(r, notes)}<ul>${lines.join("")}</ul></div>`;
}

function backToContents(r: RenderContext): string {
  return `<p class="src"><a href="#contents">↑ ${r.t("guide.contents")}</a></p>`;
}

/** A text of the urgent lane that names an official page, with its address and check date. */
function withPage(r: RenderContext, key: string, pageId: string): string {
  const page = r.content.page(pageId);
  return page === undefined ? "" : r.t(key, { url: page.url, address: pageAddress(page), checked: date(r, page.checked) });
}

/**
 * Someone detained, as the bot's urgent lane says it: in the US, how to find them with ICE's
 * locator, the A-number, bond as it stands with its dated notes, the attorney; in Russia or another
 * country, that the sources say nothing, the exit bans (dated), the attorney. Open in a relative's copy.
 */
function detainedSection(r: RenderContext, open: boolean): string {
  const t = r.t;
  const bondNotes = [...r.content.notesFor(BOND)];
  const exitBan = ["exit-ban", "exit-ban-earlier", "e-register"].flatMap((id) => r.content.updates.items.filter((item) => item.id === id));
  const toContacts = `<p><a href="#contacts">↑ ${t("guide.contactTitle")}</a></p>`;
  return folded(
    DETAINED,
    t("guide.detainedTitle"),
    [
      `<h3>${t("buttons.inUs")}</h3>`,
      paragraphs(withPage(r, "urgent.detained.find", "ice-locator")),
      paragraphs(t("urgent.detained.anumber")),
      `<p>${t("urgent.bond.title")}: ${t("urgent.bond.body", { month: sourcesMonth(r, bondNotes) ?? "" })}</p>`,
      ...(bondNotes.length === 0 ? [] : [notesList(r, bondNotes)]),
      `<h3>${t("buttons.inRussia")}</h3>`,
      `<p>${t("urgent.russia.silent")} ${t("urgent.russia.exit")}</p>`,
      ...(exitBan.length === 0 ? [] : [notesList(r, exitBan)]),
      `<h3>${t("buttons.inAnotherCountry")}</h3>`,
      `<p>${t("urgent.abroad.silent")}</p>`,
      `<p>${t("urgent.callFirm")}</p>`,
      toContacts,
      backToContents(r),
    ],
    open,
  );
}

/** Free legal help: EOIR's list, for people whose case is before a US immigration court; nothing the sources name for anyone else. */
function freeHelpSection(r: RenderContext): string {
  const t = r.t;
  return folded(FREE_HELP, t("guide.freeHelpTitle"), [paragraphs(withPage(r, "urgent.free.body", "eoir-pro-bono")), `<p>${t("guide.freeHelpFirm")}</p>`, backToContents(r)], false);
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
    [paragraphs(t("topics.updates.body", { recorded: date(r, r.content.recordedOn, "long") })), `<p class="src">${checked}</p>`, ...groups, backToContents(r)],
    false,
  );
}

function entry(r: RenderContext, item: UpdateItem): string {
  const t = r.t;
  const when = item.date === null ? t("common.law") : date(r, item.date);
  const label = ` · <i>${itemLabels(r, item, true).join(", ")}</i>`;
  const sources = item.sources.map((s) => sourceLink(r, s)).join("; ");
  return `<div class="entry" id="update-${item.id}"><p><b>${when}</b>${label} · ${t(`updates.items.${item.id}.text`)}</p><p class="src">${t("common.for")}: ${situationsText(r, item)}. ${t("common.sources")}: ${sources}</p></div>`;
}

/** A source by its original publisher; a link that opens a copy on another site says so ("a copy on efinder.lk"). */
function sourceLink(r: RenderContext, s: Source): string {
  const name = escapeHtml(typeof s.publisher === "string" ? s.publisher : s.publisher[r.lang]) + (s.date === undefined ? "" : `, ${date(r, s.date)}`);
  const copy = s.copyAt === undefined ? "" : ` (${r.t("guide.copyAt", { site: s.copyAt })})`;
  return s.url === undefined ? name + copy : `<a href="${escapeHtml(s.url)}">${name}${copy}</a>`;
}

/** Telegram text uses blank lines and "• " bullets; HTML wants paragraphs and line breaks. */
function paragraphs(telegramHtml: string): string {
  return telegramHtml
    .split(/\n{2,}/)
    .map((p) => `<p>${p.replace(/\n/g, "<br>\n")}</p>`)
    .join("\n");
}
