import { writeSync } from "node:fs";
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
 * `describeError` under the key "error" (pino's "err" serializer would rewrite their type).
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
  return pino({ level: options.level, base: undefined }, stdoutThatCannotBlock());
}

/**
 * Standard output, written synchronously line by line, that gives up rather than waits: a line
 * that meets a full pipe is dropped, and once the reader of the log is gone (EPIPE) nothing more
 * is written. Logging must never keep the process from stopping.
 */
function stdoutThatCannotBlock(): DestinationStream {
  let broken = false;
  return {
    write(line: string) {
      if (broken) return;
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          writeSync(1, line);
          return;
        } catch (error) {
          // A full pipe: try again a little, then drop this line. A closed one: stop writing.
          if ((error as NodeJS.ErrnoException).code !== "EAGAIN") {
            broken = true;
            return;
          }
        }
      }
    },
  };
}
