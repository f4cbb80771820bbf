/**
 * Telegram's HTML parse mode, as strict as the Bot API: only its tags, only its named
 * entities, no bare "<", ">" or "&", properly nested. Used at start-up to refuse broken
 * content and by the local Bot API to refuse what Telegram would refuse.
 */

export type HtmlCheck = { ok: true; text: string } | { ok: false; error: string };

const NAMED_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };

const TAG_ATTRIBUTES: Record<string, readonly string[]> = {
  b: [], strong: [], i: [], em: [], u: [], ins: [], s: [], strike: [], del: [],
  "tg-spoiler": [], span: ["class"], a: ["href"], code: ["class"], pre: [],
  blockquote: ["expandable"], "tg-emoji": ["emoji-id"],
};

const TAG = /^<(\/?)([a-z][a-z0-9-]*)((?:\s+[a-z-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*)\s*>/i;
const ATTRIBUTE = /([a-z-]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?/gi;
const ENTITY = /^&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]+);/i;
const SPECIAL = /[<&>]/g;

/** Parses Telegram HTML; returns the plain text a user would see, or why Telegram would refuse it. */
export function parseTelegramHtml(html: string): HtmlCheck {
  const open: string[] = [];
  let text = "";
  let i = 0;
  while (i < html.length) {
    const ch = html[i]!;
    if (ch === "<") {
      const match = TAG.exec(html.slice(i, i + 512));
      if (match === null) return fail(`unsupported or malformed tag at offset ${i}`);
      const [whole, closing, rawName, attrs] = match;
      const name = rawName!.toLowerCase();
      const allowed = TAG_ATTRIBUTES[name];
      if (allowed === undefined) return fail(`unsupported tag <${name}> at offset ${i}`);
      if (closing === "/") {
        if (open.pop() !== name) return fail(`unexpected end tag </${name}> at offset ${i}`);
      } else {
        const problem = checkAttributes(name, attrs ?? "", allowed);
        if (problem !== undefined) return fail(`${problem} at offset ${i}`);
        open.push(name);
      }
      i += whole!.length;
    } else if (ch === "&") {
      const match = ENTITY.exec(html.slice(i, i + 12));
      if (match === null) return fail(`bare "&" at offset ${i}; write &amp;`);
      const decoded = decodeEntity(match[1]!);
      if (decoded === undefined) return fail(`unsupported entity &${match[1]}; at offset ${i}`);
      text += decoded;
      i += match[0].length;
    } else if (ch === ">") {
      return fail(`bare ">" at offset ${i}; write &gt;`);
    } else {
      // Plain text up to the next markup character, in one piece: character by character, long
      // texts (every screen at start-up, every message in the local Bot API) took several times longer.
      SPECIAL.lastIndex = i;
      const next = SPECIAL.exec(html)?.index ?? html.length;
      text += html.slice(i, next);
      i = next;
    }
  }
  if (open.length > 0) return fail(`unclosed tag <${open[open.length - 1]}>`);
  return { ok: true, text };
}

function checkAttributes(name: string, attrs: string, allowed: readonly string[]): string | undefined {
  const seen = new Map<string, string>();
  for (const m of attrs.matchAll(ATTRIBUTE)) {
    const attr = m[1]!.toLowerCase();
    if (!allowed.includes(attr)) return `attribute "${attr}" is not allowed on <${name}>`;
    seen.set(attr, (m[2] ?? "").replace(/^["']|["']$/g, ""));
  }
  if (name === "a") {
    const href = seen.get("href");
    if (href === undefined || href === "") return "<a> needs an href";
    if (!/^(https?:\/\/|tg:\/\/|mailto:)/i.test(href)) return `unsupported link "${href}"`;
  }
  if (name === "span" && seen.get("class") !== "tg-spoiler") return '<span> is only allowed with class="tg-spoiler"';
  return undefined;
}

function decodeEntity(body: string): string | undefined {
  if (body[0] === "#") {
    const code = body[1] === "x" || body[1] === "X" ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
    return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : undefined;
  }
  return NAMED_ENTITIES[body.toLowerCase()];
}

function fail(error: string): HtmlCheck {
  return { ok: false, error };
}

/** Escapes text for Telegram HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Telegram measures message length in UTF-16 code units of the parsed text. */
export const MAX_MESSAGE_LENGTH = 4096;
export const MAX_CAPTION_LENGTH = 1024;

/** A copy-text button copies 1-256 characters (Bot API, CopyTextButton). */
export const MAX_COPY_TEXT_LENGTH = 256;

/**
 * The longest button URL the bot sends. Telegram documents no limit for URL buttons. The one
 * reported failure is a t.me/share/url link of about 1,900 characters that t.me's web server
 * answered with 400 when a browser opened it (MurhafSousli/ngx-sharebuttons#566); the apps open
 * t.me links themselves. 1,500 stays below it, and is what a Russian summary needs: a Cyrillic
 * letter takes six characters in a link, so at 1,024 the shared text lost the draft, political
 * views and arrests. Texts that would not fit are shortened (src/bot/features/guided/summary-handoff.ts).
 */
export const MAX_BUTTON_URL_LENGTH = 1500;

/** The text a reader sees for some Telegram HTML: the one place HTML becomes plain text. */
export function htmlToText(html: string): string {
  const parsed = parseTelegramHtml(html);
  if (!parsed.ok) throw new Error(`invalid Telegram HTML: ${parsed.error}`);
  return parsed.text;
}
