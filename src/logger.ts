import pino, { type DestinationStream, type Logger } from "pino";

export type { Logger };

export interface LoggerOptions {
  level: string;
  /** JSON for machines; pretty for a person at a terminal. Defaults to pretty on a TTY outside production. */
  format?: "json" | "pretty";
  destination?: DestinationStream;
}

/**
 * Logs never carry personal data: no Telegram ids, names, usernames or typed text. Call sites
 * log update ids, update types and at most `shortKey` of an anonymous key; errors go through
 * `describeError`, which keeps Bot API payloads (chat ids, texts) out.
 */
export function createLogger(options: LoggerOptions): Logger {
  const pretty = options.format === "pretty" || (options.format === undefined && process.stdout.isTTY && process.env.NODE_ENV !== "production");
  if (options.destination !== undefined) return pino({ level: options.level, base: undefined }, options.destination);
  if (pretty) {
    return pino({
      level: options.level,
      base: undefined,
      transport: { target: "pino-pretty", options: { colorize: true, translateTime: "SYS:HH:MM:ss", ignore: "pid,hostname" } },
    });
  }
  return pino({ level: options.level, base: undefined });
}
