import type { Transformer } from "grammy";
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
    help: "Failed Bot API calls, by method and error code",
    labelNames: ["method", "code"],
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics === true) collectDefaultMetrics({ register: this.registry });
  }

  /** A Bot API transformer that counts failed calls. */
  readonly countApiErrors: Transformer = async (prev, method, payload, signal) => {
    const result = await prev(method, payload, signal);
    if (!result.ok) this.apiErrors.inc({ method, code: String(result.error_code) });
    return result;
  };
}

/** The kind of an update: "message", "callback_query"… */
export function updateType(update: object): string {
  for (const key in update) if (key !== "update_id") return key;
  return "unknown";
}
