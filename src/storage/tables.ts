/**
 * The database, as Kysely sees it: the same tables on SQLite and PostgreSQL. Nothing here holds a
 * Telegram id, name or text: records are keyed by the anonymous key (privacy/anon-key.ts) and hold
 * what the session and the guided conversation keep (see SessionData and privacy/redact.ts).
 */
export interface Tables {
  /** Per-chat records: "s:" sessions, "c:" guided conversations, "f:" /forget marks, each under an anonymous key. */
  records: { key: string; value: string; touched: number };
  /** Anonymous daily counters for the operator; replicas add to the same rows. */
  daily_counts: { day: string; name: string; label: string; n: number };
  /** Updates whose effects are committed, so one delivered twice (webhook retries, a restart) is handled once. */
  handled_updates: { update_id: number; at: number };
  /** Updates per anonymous key per minute, shared by replicas. */
  rate_limits: { key: string; window_start: number; n: number };
  /** The anonymous-key secret's fingerprint, and when start-up jobs last ran and with what. */
  meta: { key: string; value: string };
  /**
   * Updates fetched and confirmed to Telegram but not yet handled (polling), sealed (privacy/seal.ts);
   * and updates that failed, with how often the failure was their own and its kind. One set aside
   * keeps only its shape (no id, name or text) for 48 hours.
   */
  inbox: { update_id: number; body: string | null; received: number; attempts: number; error: string | null; set_aside: number | null };
}
