/**
 * Which events streams an installation has, and how their entries compare. Issue 17: one stream
 * per hash tag (keys.events(tag)), since a script may write only keys of its own tag; the
 * installation's stream plus one per queue that was ever listed (the queues set). On a Redis
 * Cluster each lives on the master of its tag: every read here is one command per stream (a
 * command over two streams of two tags is refused as CROSSSLOT), routed to that master.
 */
import type { Redis } from "ioredis";
import type { Keys } from "../redis/keys.js";

/** The installation's stream first, then one per queue of the queues set (sorted). */
export async function eventStreams(redis: Redis, keys: Keys): Promise<string[]> {
  const queues = (await redis.smembers(keys.queues())).sort();
  const streams = [keys.events()];
  for (const q of queues) {
    try {
      streams.push(keys.events(keys.queueTag(q)));
    } catch {
      // a name that cannot be a tag never had keys of its own: nothing to read
    }
  }
  return streams;
}

/** Stream entry ids `<ms>-<seq>` in time order: negative, zero or positive. */
export function compareEntryIds(a: string, b: string): number {
  const [am, as] = splitId(a);
  const [bm, bs] = splitId(b);
  return am !== bm ? am - bm : as - bs;
}

function splitId(id: string): [number, number] {
  const dash = id.indexOf("-");
  return dash < 0 ? [Number(id), 0] : [Number(id.slice(0, dash)), Number(id.slice(dash + 1))];
}

/** The newest of several ids ("0-0" for none). */
export function newestId(ids: Iterable<string>): string {
  let newest = "0-0";
  for (const id of ids) if (compareEntryIds(id, newest) > 0) newest = id;
  return newest;
}

export type RawEntry = [id: string, fields: string[]];

/**
 * Entries of every stream, newest first, merged by id: each stream is paged with XREVRANGE
 * (`page` entries a call, from `end` down to `start`, inclusive), a stream paged again only once
 * its page is used up. `take` gets each entry and says whether to go on.
 */
export async function walkNewestFirst(
  redis: Redis,
  streams: string[],
  range: { end: string; start: string; page: number },
  take: (entry: RawEntry) => boolean,
): Promise<void> {
  const cursors = streams.map((stream) => ({ stream, end: range.end, entries: [] as RawEntry[], at: 0, done: false }));
  type Cursor = (typeof cursors)[number];
  const fill = async (c: Cursor): Promise<void> => {
    if (c.at < c.entries.length || c.done) return;
    const page = (await redis.xrevrange(c.stream, c.end, range.start, "COUNT", range.page)) as RawEntry[];
    c.entries = page;
    c.at = 0;
    if (page.length < range.page) c.done = true;
    else c.end = `(${page[page.length - 1]![0]}`;
  };
  await Promise.all(cursors.map(fill));
  for (;;) {
    let best: Cursor | undefined;
    for (const c of cursors) {
      if (c.at < c.entries.length && (!best || compareEntryIds(c.entries[c.at]![0], best.entries[best.at]![0]) > 0)) best = c;
    }
    if (!best) return;
    const entry = best.entries[best.at++]!;
    if (!take(entry)) return;
    await fill(best);
  }
}
