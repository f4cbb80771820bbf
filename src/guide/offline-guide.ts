import { formatDate, type RenderContext } from "../content/render.js";
import type { Topic } from "../content/schema.js";
import { escapeHtml } from "../telegram/html.js";

/**
 * The offline guide: one HTML file with every topic, the updates, the contacts and the
 * disclaimer, for relatives who cannot use Telegram. It makes no network requests and needs no
 * scripts: inline CSS only, no images, fonts or links that load anything. Built from the same
 * content and locale texts as the bot.
 */
export function buildOfflineGuide(r: RenderContext, generatedOn: Date, bookingUrl?: string): string {
  const t = r.t;
  const content = r.content;
  const recorded = formatDate(r, content.recordedOn);
  const toc = content.topics.map((topic) => `<li><a href="#${topic.id}">${t(`topics.${topic.id}.title`)}</a></li>`).join("\n");
  const sections = content.topics.map((topic) => topicSection(r, topic)).join("\n");
  const booking = bookingUrl === undefined ? "" : `<p><a href="${escapeHtml(bookingUrl)}">${t("buttons.book")}</a></p>`;
  const phone = content.firm.phone;
  return `<!doctype html>
<html lang="${r.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(t("guide.docTitle"))}</title>
<style>
body{font:17px/1.5 -apple-system,system-ui,"Segoe UI",Roboto,Arial,sans-serif;margin:0 auto;max-width:42em;padding:1em;color:#111;background:#fff;overflow-wrap:anywhere}
h1{font-size:1.45em;line-height:1.25}h2{font-size:1.2em;margin-top:2em;border-top:1px solid #ccc;padding-top:1em}
.note{background:#fff6d6;border-left:4px solid #e0b000;padding:.6em .8em}.src{color:#555;font-size:.9em}
.update{margin:1em 0}.update b{white-space:nowrap}a{color:#0645ad}ul{padding-left:1.3em}
@media (prefers-color-scheme:dark){body{background:#111;color:#eee}.note{background:#3a3000}.src{color:#aaa}a{color:#8ab4f8}}
</style>
</head>
<body>
<h1>${escapeHtml(t("guide.docTitle"))}</h1>
<p>${t("guide.intro", { recorded, generated: formatDate(r, generatedOn.toISOString().slice(0, 10)) })}</p>
<p class="note">${t("common.disclaimer")}</p>
<h2 id="contents">${t("guide.contents")}</h2>
<ol>
${toc}
<li><a href="#contacts">${t("guide.contactsTitle")}</a></li>
</ol>
${sections}
<section id="contacts">
<h2>${t("guide.contactsTitle")}</h2>
${paragraphs(t("handoff.text", { phone, disclaimer: t("common.disclaimer") }))}
<p><a href="tel:${content.firm.phoneE164}">${escapeHtml(phone)}</a></p>
${booking}
</section>
<p class="src">${t("guide.privacyNote")}</p>
</body>
</html>
`;
}

function topicSection(r: RenderContext, topic: Topic): string {
  const t = r.t;
  const parts = [`<section id="${topic.id}">`, `<h2>${t(`topics.${topic.id}.title`)}</h2>`, paragraphs(t(`topics.${topic.id}.body`, { recorded: formatDate(r, r.content.recordedOn) }))];
  if (topic.kind === "updates") {
    for (const item of r.content.updates.items) {
      const date = item.date === null ? t("common.lawInForce") : formatDate(r, item.date, "short");
      parts.push(
        `<div class="update" id="update-${item.id}"><p><b>${date}</b> · ${t(`updates.items.${item.id}.text`)}</p><p class="src">${t("guide.updatesSource")}: ${t(`updates.items.${item.id}.source`)}</p></div>`,
      );
    }
  } else {
    const items = r.content.updatesFor(topic.id);
    if (items.length > 0) {
      const lines = items.map((item) => `<li>${item.date === null ? t("common.lawInForce") : formatDate(r, item.date, "short")}: ${t(`updates.items.${item.id}.short`)}</li>`);
      parts.push(`<div class="note">${t("common.sinceHeader", { date: formatDate(r, r.content.updates.listDate, "short") })}<ul>${lines.join("")}</ul></div>`);
    }
  }
  const source =
    topic.kind === "transcript" || topic.kind === "updates"
      ? t("common.source", { date: formatDate(r, r.content.recordedOn), times: topic.cites.join(", ") })
      : t("common.sourceSafety");
  parts.push(`<p class="src">${source}</p>`, `<p class="src"><a href="#contents">↑ ${t("guide.contents")}</a></p>`, "</section>");
  return parts.join("\n");
}

/** Telegram text uses blank lines and "• " bullets; HTML wants paragraphs and line breaks. */
function paragraphs(telegramHtml: string): string {
  return telegramHtml
    .split(/\n{2,}/)
    .map((p) => `<p>${p.replace(/\n/g, "<br>\n")}</p>`)
    .join("\n");
}
