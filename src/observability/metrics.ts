import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * Prometheus metrics. Labels are update types, Bot API methods and error codes: nothing that
 * could tell one user from another.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly updates = new Counter({ name: "bot_updates_total", help: "Updates received, by type", labelNames: ["type"], registers: [this.registry] });
  readonly latency = new Histogram({
    name: "bot_update_duration_seconds",
    help: "Time to handle one update",
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly errors = new Counter({ name: "bot_errors_total", help: "Updates whose handling failed", registers: [this.registry] });
  readonly apiErrors = new Counter({
    name: "bot_telegram_api_errors_total",
    help: "Failed Bot API calls, by method and error code (network: the call never got an answer)",
    labelNames: ["method", "code"],
    registers: [this.registry],
  });
  readonly dropped = new Counter({
    name: "bot_updates_dropped_total",
    help: "Updates not handled: over a chat's rate limit, a chat's queue full, or delivered twice",
    labelNames: ["reason"],
    registers: [this.registry],
  });

  readonly setAside = new Counter({
    name: "bot_updates_set_aside_total",
    help: "Updates set aside after failing again and again while others were handled (kept 48 h as a shape in the inbox table)",
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics === true) collectDefaultMetrics({ register: this.registry });
  }

}

/** The kind of an update: "message", "callback_query"… */
export function updateType(update: object): string {
  for (const key in update) if (key !== "update_id") return key;
  return "unknown";
}
