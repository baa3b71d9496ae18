import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendEvent, type SchedulerEvent } from "../../src/log/events.js";
import { followEvents, matchesFilter, parseEntry, parseLevel, readEvents, streamTail, type StoredEvent } from "../../src/log/read-events.js";
import { testRedis, waitFor, type TestRedis } from "../helpers/redis.js";

let t: TestRedis;
beforeAll(async () => {
  t = await testRedis("read-events");
});
afterAll(async () => {
  await t.cleanup();
});

const T0 = Date.parse("2026-03-01T10:00:00Z");
const ev = (over: Partial<SchedulerEvent>): SchedulerEvent => ({ type: "job.started", level: "info", at: T0, msg: "m", ...over });

describe("readEvents", () => {
  it("returns the most recent matching events, oldest first, filtered by job, queue, task, level and type", async () => {
    const { redis, keys } = t;
    const written: SchedulerEvent[] = [];
    for (let i = 0; i < 30; i++) {
      const e = ev({
        type: i % 3 === 0 ? "job.failed" : "job.finished",
        level: (["debug", "info", "warn", "error"] as const)[i % 4],
        at: T0 + i * 1000,
        msg: `event ${i}`,
        jobId: `job-${i % 5}`,
        queue: i % 2 === 0 ? "short" : "long",
        task: i < 15 ? "app.tasks.a" : "app.tasks.b",
      });
      written.push(e);
      await appendEvent(redis, keys, e);
    }
    await redis.xadd(keys.events(), "*", "not-ours", "x"); // foreign entry: skipped, not a crash

    const all = await readEvents(redis, keys, { count: 1000 });
    expect(all.map((e) => e.msg)).toEqual(written.map((e) => e.msg));
    expect(all[0]!.id).toMatch(/^\d+-\d+$/);

    const last5 = await readEvents(redis, keys, { count: 5 });
    expect(last5.map((e) => e.msg)).toEqual(["event 25", "event 26", "event 27", "event 28", "event 29"]);

    const check = async (filter: Parameters<typeof matchesFilter>[1]) => {
      const got = await readEvents(redis, keys, { count: 1000, filter });
      expect(got.map((e) => e.msg)).toEqual(written.filter((e) => matchesFilter(e, filter)).map((e) => e.msg));
      return got;
    };
    expect((await check({ job: "job-2" })).every((e) => e.jobId === "job-2")).toBe(true);
    expect(await check({ queue: "long" })).toHaveLength(15);
    expect(await check({ task: "app.tasks.b", queue: "short" })).toHaveLength(7);
    const warnUp = await check({ level: "warn" });
    expect(new Set(warnUp.map((e) => e.level))).toEqual(new Set(["warn", "error"]));
    expect(await check({ type: "job.failed" })).toHaveLength(10);
    expect(await check({ type: "job." })).toHaveLength(30);
    expect(await check({ job: "nope" })).toEqual([]);

    // count applies after the filter, across pages
    const twoErrors = await readEvents(redis, keys, { count: 2, filter: { level: "error" } });
    expect(twoErrors.map((e) => e.msg)).toEqual(["event 23", "event 27"]);
  });

  it("bounds by time (since) and by entry id (until)", async () => {
    const { redis, keys } = t;
    const tail = await streamTail(redis, keys);
    const tailMs = Number(tail.split("-")[0]);
    await appendEvent(redis, keys, ev({ msg: "after the tail" }));
    const upToTail = await readEvents(redis, keys, { count: 1000, until: tail });
    expect(upToTail.map((e) => e.msg)).not.toContain("after the tail");
    const recent = await readEvents(redis, keys, { since: tailMs, count: 1000 });
    expect(recent.every((e) => Number(e.id.split("-")[0]) >= tailMs)).toBe(true);
    expect(recent.map((e) => e.msg)).toContain("after the tail");
    expect(await readEvents(redis, keys, { since: Number.MAX_SAFE_INTEGER })).toEqual([]);
  });

  it("pages through more entries than one XREVRANGE page to find rare matches", async () => {
    const { redis, keys } = t;
    await appendEvent(redis, keys, ev({ msg: "needle", jobId: "rare" }));
    const pipe = redis.pipeline();
    for (let i = 0; i < 1200; i++) pipe.xadd(keys.events(), "*", "e", JSON.stringify(ev({ msg: `hay ${i}`, jobId: "common" })));
    await pipe.exec();
    expect((await readEvents(redis, keys, { filter: { job: "rare" } })).map((e) => e.msg)).toEqual(["needle"]);
    expect(await readEvents(redis, keys, { filter: { job: "common" }, count: 700 })).toHaveLength(700);
  });
});

describe("followEvents", () => {
  it("delivers only new matching events in order and stops when the signal aborts", async () => {
    const { redis, keys } = t;
    await appendEvent(redis, keys, ev({ msg: "old", queue: "short" }));
    const seen: StoredEvent[] = [];
    const controller = new AbortController();
    const done = followEvents(redis, keys, { queue: "short" }, (e) => void seen.push(e), controller.signal, { blockMs: 200 });
    await new Promise((r) => setTimeout(r, 100)); // let the follower block before writing
    await appendEvent(redis, keys, ev({ msg: "new 1", queue: "short" }));
    await appendEvent(redis, keys, ev({ msg: "other queue", queue: "long" }));
    await appendEvent(redis, keys, ev({ msg: "new 2", queue: "short" }));
    await waitFor(() => seen.length >= 2, 3000);
    controller.abort();
    const started = performance.now();
    await done;
    expect(performance.now() - started).toBeLessThan(1000);
    expect(seen.map((e) => e.msg)).toEqual(["new 1", "new 2"]);
    expect(await redis.ping()).toBe("PONG"); // the shared connection is untouched
  });

  it("resumes after a given id without gaps, across quiet BLOCK rounds", async () => {
    const { redis, keys } = t;
    const after = await streamTail(redis, keys);
    await appendEvent(redis, keys, ev({ msg: "written before following" }));
    const seen: string[] = [];
    const controller = new AbortController();
    const done = followEvents(redis, keys, {}, (e) => void seen.push(e.msg), controller.signal, { after, blockMs: 100 });
    await waitFor(() => seen.length === 1, 3000);
    await new Promise((r) => setTimeout(r, 250)); // at least one BLOCK round times out empty
    await appendEvent(redis, keys, ev({ msg: "after a quiet round" }));
    await waitFor(() => seen.length === 2, 3000);
    controller.abort();
    await done;
    expect(seen).toEqual(["written before following", "after a quiet round"]);
  });
});

describe("parsing", () => {
  it("parseLevel accepts the four levels in any case and names the flag otherwise", () => {
    expect(parseLevel("WARN")).toBe("warn");
    expect(() => parseLevel("verbose")).toThrow('--level "verbose" is not a level');
  });
  it("parseEntry skips entries without valid event JSON", () => {
    expect(parseEntry("1-0", ["e", "{bad"])).toBeUndefined();
    expect(parseEntry("1-0", ["e", JSON.stringify({ type: "x", level: "loud", at: 1, msg: "" })])).toBeUndefined();
    expect(parseEntry("1-0", ["e", JSON.stringify(ev({}))])).toMatchObject({ id: "1-0", type: "job.started" });
  });
});
