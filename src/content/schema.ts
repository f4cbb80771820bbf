import { z } from "zod";

const TOPIC_ID = /^[a-z][a-z0-9-]{1,23}$/;
const TIMESTAMP = /^\d{2}:\d{2}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

const synonymList = z.array(z.string().trim().min(1).max(60)).max(60);

export const topicsFileSchema = z.object({
  recordedOn: z.string().regex(ISO_DATE, "must be a YYYY-MM-DD date"),
  speaker: z.string().min(1),
  topics: z
    .array(
      z.object({
        id: z.string().regex(TOPIC_ID, "must be 2-24 characters of a-z, 0-9 and -, starting with a letter"),
        kind: z.enum(["transcript", "updates", "safety"]),
        cites: z.array(z.string().regex(TIMESTAMP, "must look like 09:21")),
        related: z.array(z.string()).max(4, "at most 4 related topics fit on a screen"),
        synonyms: z.object({ ru: synonymList, en: synonymList }),
      }),
    )
    .min(1),
});

export const updatesFileSchema = z.object({
  listDate: z.string().regex(ISO_DATE, "must be a YYYY-MM-DD date"),
  items: z.array(
    z.object({
      id: z.string().regex(TOPIC_ID, "must be 2-24 characters of a-z, 0-9 and -"),
      date: z.string().regex(ISO_DATE, "must be a YYYY-MM-DD date").nullable(),
      confirmed: z.boolean(),
      affects: z.array(z.string()),
    }),
  ),
});

export const firmFileSchema = z.object({
  phone: z.string().regex(/^\+[\d -]{7,20}$/, "must be an international phone number"),
  phoneE164: z.string().regex(/^\+\d{7,15}$/),
});

export type TopicsFile = z.infer<typeof topicsFileSchema>;
export type UpdatesFile = z.infer<typeof updatesFileSchema>;
export type FirmFile = z.infer<typeof firmFileSchema>;
export type Topic = TopicsFile["topics"][number];
export type UpdateItem = UpdatesFile["items"][number];
