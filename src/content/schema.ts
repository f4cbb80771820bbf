import { z } from "zod";

/** The one pattern for topic ids (and ids of updates, sections and route steps). */
export const ID = /^[a-z][a-z0-9-]{1,23}$/;
const ID_RULE = "must be 2-24 characters of a-z, 0-9 and -, starting with a letter";
const TIMESTAMP = /^\d{2}:\d{2}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_OR_MONTH = /^\d{4}-\d{2}(?:-\d{2})?$/;

const id = z.string().regex(ID, ID_RULE);
const synonymList = z.array(z.string().trim().min(1).max(60)).max(80);
const httpsUrl = z.string().regex(/^https:\/\/\S+$/, "must be an https:// address");
/** A text in both languages; an empty string means "not set". */
const bilingual = z.object({ en: z.string().trim(), ru: z.string().trim() });

export const topicsFileSchema = z.object({
  recordedOn: z.string().regex(DAY, "must be a YYYY-MM-DD date"),
  interviewee: z.string().min(1),
  host: z.string().min(1),
  /**
   * The published video. Empty: timestamps are plain text. Set: each timestamp links to its minute;
   * "{seconds}" in the address is replaced by the second, otherwise "#t=<seconds>" is appended.
   */
  videoUrl: z.union([z.literal(""), httpsUrl]),
  sections: z.array(z.object({ id, topics: z.array(z.string()).min(1).max(6, "at most 6 topics fit on a section screen") })).min(1).max(4, "at most 4 sections"),
  topics: z
    .array(
      z.object({
        id,
        kind: z.enum(["transcript", "updates", "safety"]),
        /** Whose words a transcript topic retells. */
        speaker: z.enum(["attorney", "host", "host-agreed"]).optional(),
        cites: z.array(z.string().regex(TIMESTAMP, "must look like 09:21")),
        related: z.array(z.string()).max(3, "at most 3 related topics fit on a screen"),
        notes: z.array(z.string()).max(5, "at most 5 notes fit on a topic screen"),
        synonyms: z.object({ ru: synonymList, en: synonymList }),
      }),
    )
    .min(1),
});

const source = z.object({
  publisher: z.union([z.string().min(1), bilingual]),
  date: z.string().regex(DAY_OR_MONTH, "must be a YYYY-MM-DD or YYYY-MM date").optional(),
  url: httpsUrl.optional(),
  /** The site the link opens when it is a copy of the publisher's text there (the verified list's "via mirror", "via CityNews Toronto"): the offline guide names it. */
  copyAt: z.string().min(1).optional(),
});

export const GRADES = ["confirmed", "likely", "unverified"] as const;

export const updatesFileSchema = z.object({
  groups: z.array(id).min(1).max(6, "at most 6 groups fit on the updates screen"),
  situations: z.array(id).min(1),
  items: z.array(
    z.object({
      id,
      group: z.string(),
      date: z.string().regex(DAY_OR_MONTH, "must be a YYYY-MM-DD or YYYY-MM date").nullable(),
      kind: z.enum(["change", "law"]),
      grade: z.enum(GRADES),
      /** Where the item is in the verified list (source/updates-2026-11.md): "1d", "2", or "A1" for a row of its appendix. */
      ref: z.string().regex(/^(?:\d{1,2}[a-z]?|A\d{1,2})$/, "must name a section of the verified list, like 1d, 2 or A1"),
      /** Where that section grades several claims apart: the words of the one this item states, whose grade it takes. */
      gradedOn: z.string().min(3).optional(),
      checked: z.string().regex(DAY, "must be a YYYY-MM-DD date"),
      /** False for an item the last check did not verify again (the list says "not re-checked"): readers are told. */
      rechecked: z.boolean().optional(),
      /** The date of the newest source, when no source below carries one (undated pages): the item's "sources up to". */
      sourcesUpTo: z.string().regex(DAY_OR_MONTH, "must be a YYYY-MM-DD or YYYY-MM date").optional(),
      situations: z.array(z.string()).min(1),
      /**
       * Items that qualify this one, so that it is never shown without them: the exit ban "7 days
       * after a summons is served" reads as a week's grace without "it may start the day the summons
       * is sent". Every list that shows the item lists them too, and what picks notes by room picks them together.
       */
      shownWith: z.array(id).min(1).optional(),
      sources: z.array(source).min(1, "needs at least one source"),
    }),
  ),
});

export const routesFileSchema = z.object({
  steps: z.record(
    z.string().regex(ID, ID_RULE),
    z.object({
      topic: z.string(),
      /** The dated reasons for the step, most important first. */
      notes: z.array(z.string()).max(7, "at most 7 notes: the step details show them on pages as short as a card"),
      /** Notes that change what the reader must do: never cut for space (a subset of notes). */
      keep: z.array(z.string()).max(4).optional(),
    }),
  ),
});

export const firmFileSchema = z.object({
  name: bilingual,
  languages: bilingual,
  format: bilingual,
  cost: bilingual,
  hours: bilingual,
  phone: z.union([z.literal(""), z.string().regex(/^\+\d[\d -]{6,20}$/, "must be an international number: + and the country code, then digits, spaces or dashes")]),
  email: z.union([z.literal(""), z.email("must be an e-mail address")]),
  messenger: z.union([z.object({ label: z.literal(""), url: z.literal("") }), z.object({ label: z.string().trim().min(1).max(30), url: httpsUrl })]),
});

/**
 * Official pages the content names (a government agency's tool or list, a platform's own rules):
 * the one exception to "only the transcript and the update list", each with its address, the day
 * it was last checked and what it was checked against.
 */
export const pagesFileSchema = z.object({
  pages: z.array(
    z.object({
      id,
      publisher: bilingual,
      title: bilingual,
      url: httpsUrl,
      checked: z.string().regex(DAY, "must be a YYYY-MM-DD date"),
      checkedAgainst: z.string().trim().min(1),
    }),
  ),
});

/**
 * Where each sentence of a text comes from, in order, one list of references per sentence (both
 * languages keep the same sentences). A reference is transcript:<mm:ss>, update:<id>, page:<id>,
 * firm:<field>, bot (what this bot itself does), attorney (the sentence sends the reader to the
 * attorney instead of stating a rule) or no-claim (a kind word, a heading: nothing to source).
 */
export const SOURCE_REF = /^(?:transcript:\d{2}:\d{2}|update:[a-z][a-z0-9-]{1,23}|page:[a-z][a-z0-9-]{1,23}|firm:[a-z]+|bot|attorney|no-claim)$/;
export const sourcedFileSchema = z.object({
  texts: z.record(
    z.string().regex(/^[a-zA-Z0-9.-]+$/, "must be a locale key"),
    z.array(z.array(z.string().regex(SOURCE_REF, "must be transcript:<mm:ss>, update:<id>, page:<id>, firm:<field>, bot, attorney or no-claim")).min(1, "every sentence needs a source")).min(1),
  ),
});

export type TopicsFile = z.infer<typeof topicsFileSchema>;
export type UpdatesFile = z.infer<typeof updatesFileSchema>;
export type FirmFile = z.infer<typeof firmFileSchema>;
export type OfficialPage = z.infer<typeof pagesFileSchema>["pages"][number];
export type Topic = TopicsFile["topics"][number];
export type Section = TopicsFile["sections"][number];
export type UpdateItem = UpdatesFile["items"][number];
export type Source = UpdateItem["sources"][number];
export type Grade = (typeof GRADES)[number];
