import type { Content } from "../content/content.js";
import type { I18n } from "../i18n.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../observability/metrics.js";
import type { Stats } from "../stats/stats.js";
import type { RecordStore } from "../storage/record-store.js";
import type { TopicSearch } from "../search/topic-search.js";

/** Everything a feature may need, built once by the caller of `createBot`. */
export interface BotDeps {
  content: Content;
  i18n: I18n;
  store: RecordStore;
  anonymize: (chatId: number) => string;
  logger: Logger;
  metrics: Metrics;
  stats: Stats;
  search: TopicSearch;
  now: () => number;
  settings: {
    bookingUrl: string | undefined;
    adminIds: readonly number[];
    rateLimitPerMinute: number;
    sessionTtlDays: number;
  };
}

/** The part of the dependencies that rendering needs: content checks and audits build only this. */
export type ContentDeps = Pick<BotDeps, "content" | "i18n">;
