/**
 * The conversations plugin persists the updates a conversation has consumed and the Bot API
 * results it has seen, so it can replay them. Those carry user and chat objects (ids, names,
 * usernames), callback query ids and message texts. As the state is serialised for the database
 * they are replaced by blanks of the same shape: replay needs the button data and the shape of
 * each message (is it text?), never who pressed a button or what any message said. Dropping
 * texts and keyboards also keeps a saved conversation small; it is read and written on every
 * update, which is why this works as a JSON.stringify replacer rather than a separate copy.
 */

const PERSON_FIELDS = new Set(["from", "chat", "sender_chat", "user", "forward_from", "forward_from_chat", "via_bot", "sender_business_bot"]);
const IDENTIFYING_FIELDS = new Set(["first_name", "last_name", "username", "language_code", "phone_number", "title", "chat_instance", "inline_message_id"]);
/** What a person sent: never kept. */
const USER_CONTENT_FIELDS = ["text", "caption", "entities", "caption_entities", "contact", "location", "venue", "photo", "document", "sticker", "voice", "video", "audio", "animation", "video_note", "poll"];
/** What the bot sent, beyond the fact that it was a text: not needed to replay. */
const BOT_CONTENT_FIELDS = ["entities", "caption_entities", "reply_markup", "link_preview_options"];

export function redactingReplacer(key: string, value: unknown): unknown {
  if (value === null || typeof value !== "object") return IDENTIFYING_FIELDS.has(key) && value !== undefined ? "" : value;
  if (Array.isArray(value)) return value;
  const obj = value as Record<string, unknown>;
  if (PERSON_FIELDS.has(key)) return blankPerson(obj);
  // A callback query id encodes who pressed the button.
  if ("data" in obj && "chat_instance" in obj) return { ...obj, id: "" };
  if ("message_id" in obj) {
    const copy = { ...obj };
    const fromBot = (obj.from as { is_bot?: boolean } | undefined)?.is_bot === true;
    if (fromBot) {
      if (typeof copy.text === "string") copy.text = "";
      if (typeof copy.caption === "string") copy.caption = "";
      for (const field of BOT_CONTENT_FIELDS) delete copy[field];
    } else {
      for (const field of USER_CONTENT_FIELDS) delete copy[field];
    }
    return copy;
  }
  return value;
}

function blankPerson(person: Record<string, unknown>): Record<string, unknown> {
  return {
    id: 0,
    ...(typeof person.is_bot === "boolean" ? { is_bot: person.is_bot, first_name: "" } : {}),
    ...(typeof person.type === "string" ? { type: person.type } : {}),
  };
}
