/**
 * The conversations plugin persists the updates a conversation has consumed and the Bot API
 * results it has seen, so it can replay them. Those carry user and chat objects (ids, names,
 * usernames) and callback query ids. Before anything reaches the database they are replaced by
 * blanks of the same shape: replay only needs the button data and the bot's own messages,
 * never who pressed them.
 */

const PERSON_FIELDS = ["from", "chat", "sender_chat", "user", "forward_from", "forward_from_chat", "via_bot", "sender_business_bot"];
const IDENTIFYING_FIELDS = ["first_name", "last_name", "username", "language_code", "phone_number", "title", "chat_instance", "inline_message_id"];
const USER_TEXT_FIELDS = ["text", "caption", "entities", "caption_entities", "contact", "location", "venue", "photo", "document", "sticker", "voice", "video", "audio", "animation", "video_note", "poll"];

export function redactForStorage<T>(value: T): T {
  return scrub(value) as T;
}

function scrub(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(scrub);
  if (value === null || typeof value !== "object") return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(source)) {
    if (PERSON_FIELDS.includes(key) && v !== null && typeof v === "object") out[key] = blankPerson(v as Record<string, unknown>);
    else if (IDENTIFYING_FIELDS.includes(key)) out[key] = "";
    else out[key] = scrub(v);
  }
  if ("data" in source && "chat_instance" in source) out.id = ""; // a callback query id encodes who pressed
  const from = source.from as { is_bot?: boolean } | undefined;
  if (from !== undefined && from.is_bot !== true && "message_id" in source) {
    for (const key of USER_TEXT_FIELDS) if (key in out) delete out[key];
  }
  return out;
}

function blankPerson(person: Record<string, unknown>): Record<string, unknown> {
  return {
    id: 0,
    ...(typeof person.is_bot === "boolean" ? { is_bot: person.is_bot, first_name: "" } : {}),
    ...(typeof person.type === "string" ? { type: person.type } : {}),
  };
}
