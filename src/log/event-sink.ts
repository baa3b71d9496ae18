/**
 * A pino destination that copies log lines into the events stream as `log` events, so
 * `scheduler logs --job ID` shows what a task logged, from any machine.
 *
 * Not every line: those of job loggers (they carry a jobId) and any line at warn or above. The
 * daemon's routine info lines stay in its own output and file, where they do not crowd out the
 * capped stream. Writes are fire-and-forget (a log call never waits on Redis); a failed write is
 * counted, never logged (logging it would loop back here).
 */
import type { Redis } from "ioredis";
import type { Keys } from "../redis/keys.js";
import { appendEvent, type EventLevel, type SchedulerEvent } from "./events.js";

export interface EventSinkOptions {
  redis: Redis;
  keys: Keys;
  /** Process-level lines at or above this pino level are copied too (default warn). */
  processLevel?: "info" | "warn" | "error";
}

export interface EventSink {
  write(line: string): void;
  /** Lines that could not be written to Redis. */
  readonly dropped: number;
}

const PINO_LEVEL: Record<string, number> = { info: 30, warn: 40, error: 50 };

function levelName(n: number): EventLevel {
  if (n >= 50) return "error";
  if (n >= 40) return "warn";
  if (n >= 30) return "info";
  return "debug";
}

/** Fields pino adds that the event already carries or nobody reads in the stream. */
const OWN_FIELDS = new Set(["level", "time", "msg", "pid", "hostname", "name", "jobId", "queue", "task", "attempt", "v"]);

export function lineToEvent(record: Record<string, unknown>): SchedulerEvent {
  const data: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) if (!OWN_FIELDS.has(k)) data[k] = v;
  const event: SchedulerEvent = {
    type: "log",
    level: levelName(Number(record.level)),
    at: typeof record.time === "number" ? record.time : 0,
    msg: typeof record.msg === "string" ? record.msg : "",
  };
  if (typeof record.jobId === "string") event.jobId = record.jobId;
  if (typeof record.queue === "string") event.queue = record.queue;
  if (typeof record.task === "string") event.task = record.task;
  if (typeof record.name === "string") event.worker = record.name;
  if (typeof record.attempt === "number") data.attempt = record.attempt;
  if (Object.keys(data).length > 0) event.data = data;
  return event;
}

export function createEventSink(options: EventSinkOptions): EventSink {
  const threshold = PINO_LEVEL[options.processLevel ?? "warn"]!;
  let dropped = 0;
  return {
    write(line: string) {
      // Cheap test before parsing: most process lines are below the threshold and have no jobId.
      const level = Number(/^\{"level":(\d+)/.exec(line)?.[1] ?? threshold);
      if (level < threshold && !line.includes('"jobId":')) return;
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        dropped++;
        return;
      }
      if (typeof record.jobId !== "string" && Number(record.level) < threshold) return;
      appendEvent(options.redis, options.keys, lineToEvent(record)).catch(() => {
        dropped++;
      });
    },
    get dropped() {
      return dropped;
    },
  };
}
