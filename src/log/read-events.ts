/**
 * Reading the events streams (written by events.ts and the job scripts; one per hash tag, see
 * event-streams.ts): the recent history with filters, merged by time across the streams, and a
 * follower that blocks on XREAD, one connection of its own per stream, until its signal aborts.
 */
import type { Redis } from "ioredis";
import { ConfigError } from "../base/errors.js";
import type { Keys } from "../redis/keys.js";
import { queueOfPartition } from "../config/partition-names.js";
import type { EventLevel, SchedulerEvent } from "./events.js";
import { currentEventType } from "./event-types.js";
import { eventStreams, newestId, walkNewestFirst } from "./event-streams.js";

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
  // a queue named with partitions matches each of them (src/config/partition-names.ts)
  if (filter.queue !== undefined && event.queue !== filter.queue && (event.queue === undefined || queueOfPartition(event.queue) !== filter.queue)) return false;
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

/**
 * The id of the newest entry of every stream, or "0-0" when all are empty: where a follow starts
 * without gaps (ids are times, so one id is a cut-off for every stream).
 */
export async function streamTail(redis: Redis, keys: Keys): Promise<string> {
  const streams = await eventStreams(redis, keys);
  const newest = await Promise.all(streams.map((s) => redis.xrevrange(s, "+", "-", "COUNT", 1)));
  return newestId(newest.flatMap((entries) => entries.map(([id]) => id)));
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

/** The most recent matching events of every stream, oldest first (merged by entry id). */
export async function readEvents(redis: Redis, keys: Keys, options: ReadOptions = {}): Promise<StoredEvent[]> {
  const count = options.count ?? 100;
  const filter = options.filter ?? {};
  const start = options.since === undefined ? "-" : String(Math.max(0, Math.floor(options.since)));
  const found: StoredEvent[] = [];
  if (count <= 0) return found;
  // Newest first, page by page, so a filter that matches little still stops at the bound.
  await walkNewestFirst(redis, await eventStreams(redis, keys), { end: options.until ?? "+", start, page: PAGE }, ([id, fields]) => {
    const event = parseEntry(id, fields);
    if (event && matchesFilter(event, filter)) found.push(event);
    return found.length < count;
  });
  return found.reverse();
}

export interface FollowOptions {
  /** Entry id to follow after (default: the newest now, so only new events are delivered). */
  after?: string;
  /** XREAD BLOCK bound per round trip; the abort signal is checked between rounds too. */
  blockMs?: number;
}

/**
 * How often a follow looks for streams that came to exist since it started (a queue's first
 * events, on the per-queue layout). Well under a second: the Live page shows an event within 1 s
 * of happening, a queue's first one too (each look is one SMEMBERS and an EXISTS per new stream).
 */
const DISCOVER_MS = 200;

/**
 * Deliver each new matching event to `onEvent`, one at a time, until `signal` aborts. Each
 * stream that exists is followed on a duplicate connection of its own (a blocked XREAD would
 * stall every other command on a shared one, and one XREAD cannot cover streams of two tags on a
 * cluster) that reconnects across a Redis restart and is closed on abort; streams that appear
 * later are found within DISCOVER_MS and read from the same cut-off, so none of their events is
 * missed. Events of one stream arrive in order; of two streams, as they arrive.
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
  const after = options.after ?? (await streamTail(redis, keys));
  const blockMs = options.blockMs ?? 5000;
  // one failing follower stops the others; its error is the follow's
  const inner = new AbortController();
  const stopAll = () => inner.abort();
  signal.addEventListener("abort", stopAll, { once: true });
  // aborted while the tail was read: a listener added now would never hear it
  if (signal.aborted) inner.abort();
  let failure: { error: unknown } | undefined;
  let delivering: Promise<void> = Promise.resolve();
  const deliver = (events: StoredEvent[]): Promise<void> =>
    (delivering = delivering.then(async () => {
      for (const event of events) {
        if (inner.signal.aborted) return;
        await onEvent(event);
      }
    }));
  const followers = new Map<string, Promise<void>>();
  const start = (stream: string) => {
    if (followers.has(stream)) return;
    followers.set(
      stream,
      followStream(redis, stream, after, blockMs, filter, deliver, inner.signal).catch((error: unknown) => {
        if (!inner.signal.aborted) failure ??= { error };
        inner.abort();
      }),
    );
  };
  try {
    start(keys.events());
    while (!inner.signal.aborted) {
      const streams = await eventStreams(redis, keys).catch(() => [] as string[]);
      const exist = await Promise.all(streams.map((s) => (followers.has(s) ? Promise.resolve(0) : redis.exists(s).catch(() => 0))));
      streams.forEach((s, i) => exist[i] && start(s));
      await abortableSleep(DISCOVER_MS, inner.signal);
    }
    await Promise.all(followers.values());
    await delivering.catch((error: unknown) => (failure ??= { error }));
  } finally {
    signal.removeEventListener("abort", stopAll);
    inner.abort();
    await Promise.all(followers.values());
  }
  if (failure && !signal.aborted) throw failure.error;
}

/** One stream from entry `after` on, each page of matching events handed to `deliver` and awaited. */
async function followStream(
  redis: Redis,
  stream: string,
  after: string,
  blockMs: number,
  filter: EventFilter,
  deliver: (events: StoredEvent[]) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  let last = after;
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
        reply = (await reader.xread("COUNT", PAGE, "BLOCK", blockMs, "STREAMS", stream, last)) as typeof reply;
      } catch (err) {
        if (signal.aborted) return;
        throw err;
      }
      const events: StoredEvent[] = [];
      for (const [, entries] of reply ?? []) {
        for (const [id, fields] of entries) {
          last = id;
          const event = parseEntry(id, fields);
          if (event && matchesFilter(event, filter)) events.push(event);
        }
      }
      if (events.length > 0) await deliver(events);
    }
  } finally {
    signal.removeEventListener("abort", stop);
    // Not twice: disconnect() on an ended client arms a 2 s timer that delays the process exit.
    if (reader.status !== "end") reader.disconnect();
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
