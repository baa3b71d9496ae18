/**
 * One events stream per hash tag (issue 17): the readers merge the installation's stream and
 * every listed queue's by entry id (time), page by page, and a follow picks up a queue stream
 * that appears after it started. Runs on one Redis and on the cluster (streams of different
 * tags on different masters).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { SchedulerEvent } from "../../src/log/events.js";
import { compareEntryIds, eventStreams, newestId } from "../../src/log/event-streams.js";
import { followEvents, readEvents, streamTail } from "../../src/log/read-events.js";
import { testRedis, waitFor, type TestRedis } from "../helpers/redis.js";

let t: TestRedis;
let streams: string[];
beforeAll(async () => {
  t = await testRedis("event-streams");
  streams = [t.keys.events(), t.keys.events(t.keys.queueTag("qa")), t.keys.events(t.keys.queueTag("qb"))];
});
beforeEach(async () => {
  for (const s of streams) await t.redis.del(s);
  await t.redis.del(t.keys.queues());
  await t.redis.sadd(t.keys.queues(), "qa", "qb");
});
afterAll(() => t.cleanup());

const T0 = Date.parse("2026-03-01T10:00:00Z");
const ev = (msg: string, over: Partial<SchedulerEvent> = {}): string => JSON.stringify({ type: "job.started", level: "info", at: T0, msg, ...over });

/** Entry i at id `<T0 + i>-0` in stream `which(i)`: ids interleave across the streams. */
async function writeInterleaved(n: number, which: (i: number) => number, over: (i: number) => Partial<SchedulerEvent> = () => ({})) {
  const pipes = streams.map(() => t.redis.pipeline());
  for (let i = 0; i < n; i++) pipes[which(i)]!.xadd(streams[which(i)]!, `${T0 + i}-0`, "e", ev(`e${i}`, over(i)));
  for (const p of pipes) await p.exec();
}

describe("events streams per tag", () => {
  it("lists the installation's stream, then one per listed queue", async () => {
    expect(await eventStreams(t.redis, t.keys)).toEqual(streams);
    expect(streams[1]).toBe(`${t.keys.queueTag("qa")}:events`);
    expect(t.keys.events()).toBe(`${t.keys.root}:events`);
  });

  it("readEvents merges every stream by time, oldest first, and the count keeps the newest", async () => {
    await writeInterleaved(30, (i) => (i * 7) % 3);
    const all = await readEvents(t.redis, t.keys, { count: 1000 });
    expect(all.map((e) => e.msg)).toEqual(Array.from({ length: 30 }, (_, i) => `e${i}`));
    const last4 = await readEvents(t.redis, t.keys, { count: 4 });
    expect(last4.map((e) => e.msg)).toEqual(["e26", "e27", "e28", "e29"]);
    const upTo = await readEvents(t.redis, t.keys, { count: 3, until: `${T0 + 10}-0` });
    expect(upTo.map((e) => e.msg)).toEqual(["e8", "e9", "e10"]);
    const since = await readEvents(t.redis, t.keys, { count: 1000, since: T0 + 27 });
    expect(since.map((e) => e.msg)).toEqual(["e27", "e28", "e29"]);
  });

  it("pages each stream on its own: a busy stream and two quiet ones still merge in order, with filters", async () => {
    // stream 0 holds 1200 entries (more than two pages), the queue streams one in fifty each
    await writeInterleaved(1300, (i) => (i % 50 === 0 ? 1 : i % 50 === 25 ? 2 : 0), (i) => ({ queue: i % 25 === 0 ? "rare" : "busy" }));
    const rare = await readEvents(t.redis, t.keys, { count: 1000, filter: { queue: "rare" } });
    expect(rare.map((e) => e.msg)).toEqual(Array.from({ length: 52 }, (_, k) => `e${k * 25}`));
    const newest = await readEvents(t.redis, t.keys, { count: 600 });
    expect(newest).toHaveLength(600);
    expect(newest.map((e) => e.msg)).toEqual(Array.from({ length: 600 }, (_, k) => `e${700 + k}`));
  });

  it("streamTail is the newest id of all streams", async () => {
    expect(await streamTail(t.redis, t.keys)).toBe("0-0");
    await writeInterleaved(5, (i) => [0, 1, 2, 0, 2][i]!);
    expect(await streamTail(t.redis, t.keys)).toBe(`${T0 + 4}-0`);
  });

  it("a follow delivers new events of every stream, also of a queue stream that appeared after it started", async () => {
    await t.redis.del(streams[2]!); // qb's stream does not exist yet
    await t.redis.xadd(streams[0]!, `${T0}-0`, "e", ev("before"));
    const after = await streamTail(t.redis, t.keys);
    const seen: string[] = [];
    const controller = new AbortController();
    const done = followEvents(t.redis, t.keys, {}, (e) => void seen.push(e.msg), controller.signal, { after, blockMs: 200 });
    await new Promise((r) => setTimeout(r, 150));
    await t.redis.xadd(streams[1]!, `${T0 + 1}-0`, "e", ev("qa 1"));
    await t.redis.xadd(streams[2]!, `${T0 + 2}-0`, "e", ev("qb first"));
    await t.redis.xadd(streams[0]!, `${T0 + 3}-0`, "e", ev("installation"));
    await waitFor(() => seen.length >= 3, 5000);
    controller.abort();
    const stopping = performance.now();
    await done;
    expect(performance.now() - stopping).toBeLessThan(1000);
    expect([...seen].sort()).toEqual(["installation", "qa 1", "qb first"]);
    expect(await t.redis.ping()).toBe("PONG");
  });

  it("compares entry ids as times, not as text", () => {
    expect(compareEntryIds("999-5", "1000-0")).toBeLessThan(0);
    expect(compareEntryIds("1000-10", "1000-9")).toBeGreaterThan(0);
    expect(compareEntryIds("1000-1", "1000-1")).toBe(0);
    expect(newestId(["5-0", "10-0", "9-9"])).toBe("10-0");
    expect(newestId([])).toBe("0-0");
  });
});
