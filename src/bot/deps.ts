import type { Content } from "../content/content.js";
import type { I18n } from "../i18n.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../observability/metrics.js";
import type { Stats } from "../stats/stats.js";
import type { Storage } from "../storage/storage.js";
import type { RateCounter } from "./middleware/chat-limits.js";
import type { Intents } from "../search/intents.js";
import type { TopicSearch } from "../search/topic-search.js";

/** Everything a feature may need, built once by the caller of `createBot`. */
export interface BotDeps {
  content: Content;
  i18n: I18n;
  storage: Storage;
  rateCounter: RateCounter;
  anonymize: (chatId: number) => string;
  logger: Logger;
  metrics: Metrics;
  stats: Stats;
  search: TopicSearch;
  intents: Intents;
  now: () => number;
  settings: {
    bookingUrl: string | undefined;
    adminIds: readonly number[];
    rateLimitPerMinute: number;
    sessionTtlDays: number;
    /** After this many days without a check, screens that show the update list warn it may be out of date. */
    contentStaleDays: number;
  };
}

/** What rendering content needs: the content check and the offline guide build only this. */
export type ContentDeps = Pick<BotDeps, "content" | "i18n" | "now"> & { settings: Pick<BotDeps["settings"], "bookingUrl" | "contentStaleDays"> };
