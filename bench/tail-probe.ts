/**
 * Preloaded into a bot process, and into the stand-in that times its answers, by `npm run bench --
 * --tail` (node --import): records when the process could not run its JavaScript, so that the
 * slow answers of the fixed-rate phase can be laid beside it. Two kinds of event, with wall-clock
 * times (performance.timeOrigin + now, the same clock the stand-in stamps its updates with):
 *
 * - a garbage-collection pause, from V8 (its kind: 1 scavenge, 2 minor mark-sweep,
 *   4 mark-compact, 8 incremental marking, 16 weak callbacks);
 * - an event-loop stall: a 1 ms timer that fired more than 2 ms late. A stall with no GC pause
 *   in it is the bot's own synchronous work, or the process not being scheduled at all.
 *
 * - a disk sync (`FileHandle.datasync`, which the bot's inbox runs on libuv's thread pool after
 *   each batch it writes; storage/engine.ts): the poller asks Telegram for more only once it ends,
 *   so an update sent meanwhile waits for it. The baselines never call it.
 *
 * The 1 ms timer costs the process some CPU of its own, which is why this runs only in --tail,
 * never in the figures of the main tables. Written as JSON to BENCH_TAIL_FILE when the process exits.
 */
import { writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { PerformanceObserver, performance } from "node:perf_hooks";

export type TailEvent = ["gc", number, number, number] | ["stall", number, number] | ["sync", number, number];

const file = process.env.BENCH_TAIL_FILE;
if (file !== undefined) {
  const events: TailEvent[] = [];
  const wall = (t: number) => performance.timeOrigin + t;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) events.push(["gc", wall(entry.startTime), entry.duration, ((entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? 0)]);
  }).observe({ entryTypes: ["gc"] });
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    if (now - last > 3) events.push(["stall", wall(last + 1), now - last - 1]);
    last = now;
  }, 1).unref();
  // FileHandle is not exported: its prototype is reached through a handle.
  const handle = await open("/dev/null");
  const proto = Object.getPrototypeOf(handle) as { datasync(): Promise<void> };
  await handle.close();
  const datasync = proto.datasync;
  proto.datasync = async function (this: unknown) {
    const start = performance.now();
    try {
      return await datasync.call(this);
    } finally {
      events.push(["sync", wall(start), performance.now() - start]);
    }
  };
  process.once("exit", () => writeFileSync(file, JSON.stringify(events)));
}
