/**
 * Work over several hash tags, one batch per tag (issue 17: each queue's job keys may be on a tag
 * of their own). A script keeps to the keys of one tag, and an ioredis Cluster pipeline refuses
 * commands of two masters, so a read over tags is one pipeline per tag, all sent together.
 */
import type { ChainableCommander, Redis } from "ioredis";

export interface TagGroup<T> {
  tag: string;
  items: T[];
}

/** `items` grouped by tag, groups and items in first-seen order. */
export function groupByTag<T>(items: Iterable<T>, tagOf: (item: T) => string): Array<TagGroup<T>> {
  const byTag = new Map<string, T[]>();
  for (const item of items) {
    const tag = tagOf(item);
    const group = byTag.get(tag);
    if (group) group.push(item);
    else byTag.set(tag, [item]);
  }
  return [...byTag].map(([tag, group]) => ({ tag, items: group }));
}

/**
 * Run the reads `read` queues for each item, one pipeline per tag of `tagOf`, all sent together.
 * Answers, per item in the order given, the replies of the commands it queued; the first error
 * of a reply is thrown.
 */
export async function readPerTag<T>(redis: Redis, items: readonly T[], tagOf: (item: T) => string, read: (pipe: ChainableCommander, item: T) => void): Promise<unknown[][]> {
  const settled = await readPerTagSettled(redis, items, tagOf, read);
  return settled.map((replies) =>
    replies.map(([err, value]) => {
      if (err) throw err;
      return value;
    }),
  );
}

/**
 * readPerTag for a reader that skips what failed: per item, its commands' [error, reply] pairs
 * as a pipeline answers them (a failed pipeline still throws).
 */
export async function readPerTagSettled<T>(redis: Redis, items: readonly T[], tagOf: (item: T) => string, read: (pipe: ChainableCommander, item: T) => void): Promise<Array<Array<[Error | null, unknown]>>> {
  const out: Array<Array<[Error | null, unknown]>> = new Array(items.length);
  const groups = groupByTag(items.map((item, index) => ({ item, index })), ({ item }) => tagOf(item));
  await Promise.all(
    groups.map(async ({ items: group }) => {
      const pipe = redis.pipeline();
      const spans: number[] = [];
      for (const { item } of group) {
        const before = pipe.length;
        read(pipe, item);
        spans.push(pipe.length - before);
      }
      const replies = (await pipe.exec()) ?? [];
      let at = 0;
      group.forEach(({ index }, k) => {
        out[index] = replies.slice(at, at + spans[k]!);
        at += spans[k]!;
      });
    }),
  );
  return out;
}
