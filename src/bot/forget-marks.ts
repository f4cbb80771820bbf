/**
 * /forget deletes a chat's messages, but presses on those messages may already be queued. Such
 * a press, handled after the deletion, must neither show anything nor leave a record behind. The
 * mark says which messages went, for as long as a queued press can still arrive.
 */
export interface ForgetMarks {
  mark(anonKey: string, lastDeletedMessageId: number): void;
  /** Whether a press on this message was made before /forget deleted it. */
  covers(anonKey: string, messageId: number): boolean;
}

/** Presses queued before /forget arrive within seconds; an hour is generous. */
const MARK_MS = 3_600_000;
const LIMIT = 10_000;

export function memoryForgetMarks(now: () => number): ForgetMarks {
  const marks = new Map<string, { upTo: number; until: number }>();
  return {
    mark(anonKey, lastDeletedMessageId) {
      if (marks.size >= LIMIT) marks.delete(marks.keys().next().value!);
      marks.set(anonKey, { upTo: lastDeletedMessageId, until: now() + MARK_MS });
    },
    covers(anonKey, messageId) {
      const mark = marks.get(anonKey);
      if (mark === undefined) return false;
      if (mark.until < now()) {
        marks.delete(anonKey);
        return false;
      }
      return messageId <= mark.upTo;
    },
  };
}
