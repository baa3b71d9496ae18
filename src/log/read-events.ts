/**
 * Reading the events stream (written by events.ts): the recent history with filters, and a
 * follower that blocks on XREAD on a connection of its own until its signal aborts.
 */
import type { Redis } from "ioredis";
import { ConfigError } from "../base/errors.js";
import type { Keys } from "../redis/keys.js";
import type { EventLevel, SchedulerEvent } from "./events.js";
import { currentEventType } from "./event-types.js";

/** An event with its stream entry id (`<ms>-<seq>`), which orders events and resumes a follow. */
export type StoredEvent = SchedulerEvent & { id: string };

export interface EventFilter {
  job?: string;
  queue?: string;
  task?: string;
  /** Minimum level: debug < info < warn < error. */
  level?: EventLevel;
  /** Type, or a type prefix ending in "." (e.g. "job."). */
  type?: string;
}

export const LEVELS: readonly EventLevel[] = ["debug", "info", "warn", "error"];

/** The level named on a command line or in config, or a clear error naming `what`. */
export function parseLevel(text: string, what = "--level"): EventLevel {
  const level = text.trim().toLowerCase();
  if ((LEVELS as readonly string[]).includes(level)) return level as EventLevel;
  throw new ConfigError("BAD_LEVEL", `${what} "${text}" is not a level`, { hint: `use one of ${LEVELS.join(", ")}` });
}

export function matchesFilter(event: SchedulerEvent, filter: EventFilter): boolean {
  if (filter.job !== undefined && event.jobId !== filter.job) return false;
  if (filter.queue !== undefined && event.queue !== filter.queue) return false;
  // A dotted path matches the method of scheduled jobs (task id "cron:...|my_app.tasks.x") and
  // of enqueued ones (their task is the method) alike.
  if (filter.task !== undefined && event.task !== filter.task && !event.task?.endsWith(`|${filter.task}`)) return false;
  if (filter.level !== undefined && LEVELS.indexOf(event.level) < LEVELS.indexOf(filter.level)) return false;
  if (filter.type !== undefined) {
    // a renamed type matches under its old name and its new one, either way round (event-types.ts)
    const want = currentEventType(filter.type);
    const got = currentEventType(event.type);
    const ok = want.endsWith(".") ? got.startsWith(want) || event.type.startsWith(filter.type) : got === want;
    if (!ok) return false;
  }
  return true;
}

/** One stream entry as an event; entries that are not ours (no "e" JSON field) are skipped. */
export function parseEntry(id: string, fields: string[]): StoredEvent | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] !== "e") continue;
    try {
      const event = JSON.parse(fields[i + 1]!) as SchedulerEvent;
      if (typeof event.type !== "string" || !LEVELS.includes(event.level)) return undefined;
      return { ...event, id };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The id of the newest entry, or "0-0" for an empty stream: where a follow starts without gaps. */
export async function streamTail(redis: Redis, keys: Keys): Promise<string> {
  const newest = await redis.xrevrange(keys.events(), "+", "-", "COUNT", 1);
  return newest[0]?.[0] ?? "0-0";
}

export interface ReadOptions {
  /** Only events at or after this time (ms since epoch). */
  since?: number;
  /** Only entries up to this id (inclusive), e.g. a streamTail() taken before following. */
  until?: string;
  /** At most this many matching events, the most recent ones (default 100). */
  count?: number;
  filter?: EventFilter;
}

const PAGE = 500;

/** The most recent matching events, oldest first. */
export async function readEvents(redis: Redis, keys: Keys, options: ReadOptions = {}): Promise<StoredEvent[]> {
  const count = options.count ?? 100;
  const filter = options.filter ?? {};
  const start = options.since === undefined ? "-" : String(Math.max(0, Math.floor(options.since)));
  const found: StoredEvent[] = [];
  let end = options.until ?? "+";
  // Newest first, page by page, so a filter that matches little still stops at the bound.
  while (found.length < count) {
    const page = await redis.xrevrange(keys.events(), end, start, "COUNT", PAGE);
    for (const [id, fields] of page) {
      const event = parseEntry(id, fields);
      if (event && matchesFilter(event, filter)) found.push(event);
      if (found.length >= count) break;
    }
    if (page.length < PAGE) break;
    end = `(${page[page.length - 1]![0]}`;
  }
  return found.reverse();
}

export interface FollowOptions {
  /** Entry id to follow after (default: the newest now, so only new events are delivered). */
  after?: string;
  /** XREAD BLOCK bound per round trip; the abort signal is checked between rounds too. */
  blockMs?: number;
}

/**
 * Deliver each new matching event to `onEvent`, in order, until `signal` aborts. Uses a duplicate
 * connection (a blocked XREAD would stall every other command on a shared one) that reconnects
 * across a Redis restart and is closed on abort.
 */
export async function followEvents(
  redis: Redis,
  keys: Keys,
  filter: EventFilter,
  onEvent: (event: StoredEvent) => void | Promise<void>,
  signal: AbortSignal,
  options: FollowOptions = {},
): Promise<void> {
  if (signal.aborted) return;
  let last = options.after ?? (await streamTail(redis, keys));
  const blockMs = options.blockMs ?? 5000;
  const reader = redis.duplicate({
    lazyConnect: true,
    connectionName: "hs-events-follow",
    enableOfflineQueue: true,
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(times * 200, 2000),
  });
  reader.on("error", () => {
    /* reconnects by itself; a lasting outage shows as silence, as with tail -f */
  });
  const stop = () => {
    if (reader.status !== "end") reader.disconnect();
  };
  signal.addEventListener("abort", stop, { once: true });
  try {
    await reader.connect().catch((err: unknown) => {
      if (!signal.aborted) throw err;
    });
    while (!signal.aborted) {
      let reply: [string, [string, string[]][]][] | null;
      try {
        reply = (await reader.xread("COUNT", PAGE, "BLOCK", blockMs, "STREAMS", keys.events(), last)) as typeof reply;
      } catch (err) {
        if (signal.aborted) return;
        throw err;
      }
      for (const [, entries] of reply ?? []) {
        for (const [id, fields] of entries) {
          last = id;
          const event = parseEntry(id, fields);
          if (event && matchesFilter(event, filter)) await onEvent(event);
          if (signal.aborted) return;
        }
      }
    }
  } finally {
    signal.removeEventListener("abort", stop);
    // Not twice: disconnect() on an ended client arms a 2 s timer that delays the process exit.
    if (reader.status !== "end") reader.disconnect();
  }
}
