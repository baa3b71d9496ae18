import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testRedis, type TestRedis } from "../helpers/redis.js";
import { enqueueChunks, openChunkGroup } from "../../src/patterns/chunks.js";
import { type QueueEnv } from "../../src/queue/context.js";
import { BUILTIN_QUEUES, DEFAULT_RETENTION } from "../../src/config/defaults.js";
import { completeJob, dequeue, failJob } from "../../src/queue/lifecycle.js";
import { transaction } from "../../src/queue/transaction.js";
import { setActiveContext } from "../../src/queue/context.js";
import { systemClock } from "../../src/base/clock.js";

let t: TestRedis;
let env: QueueEnv;
beforeAll(async () => {
  t = await testRedis("chunks");
  env = { redis: t.redis, keys: t.keys, clock: systemClock, queues: BUILTIN_QUEUES, retention: DEFAULT_RETENTION };
});
afterAll(async () => {
  setActiveContext(undefined);
  await t.cleanup();
});

const items = Array.from({ length: 1000 }, (_, i) => `item-${i}`);

describe("enqueueChunks", () => {
  it("enqueues 1 000 items as 20 jobs, deduplicated per chunk, and progress reaches 100% as workers complete them", async () => {
    const group = await enqueueChunks("my_app.tasks.process_chunk", items, {
      size: 50,
      queue: "long",
      jobIdPrefix: "bulk-op",
      env,
      source: "import", // any other key is a kwarg of every chunk
    });
    expect(group.id).toBe("bulk-op");
    expect(group.jobIds).toEqual(Array.from({ length: 20 }, (_, i) => `bulk-op:${i}`));
    expect(group.deduplicated).toBe(0);
    expect(await t.redis.llen(t.keys.queue("long"))).toBe(20);
    expect(await group.progress()).toEqual({ total: 20, finished: 0, failed: 0, pending: 20, missing: 0, percent: 0 });

    // Enqueueing the same operation again (a retried parent, a double click) adds nothing.
    const again = await enqueueChunks("my_app.tasks.process_chunk", items, { size: 50, queue: "long", jobIdPrefix: "bulk-op", env });
    expect(again.deduplicated).toBe(20);
    expect(await t.redis.llen(t.keys.queue("long"))).toBe(20);

    // Work through the queue as a worker would; every item is seen exactly once.
    const seen: string[] = [];
    const percents: number[] = [];
    for (let n = 0; n < 20; n++) {
      const job = await dequeue(env, { queues: ["long"], worker: "w1", leaseMs: 30_000 });
      expect(job).not.toBeNull();
      const kw = job!.kwargs as { items: string[]; chunk_number: number; chunk_count: number; source: string };
      expect(kw.chunk_count).toBe(20);
      expect(kw.source).toBe("import");
      expect(job!.id).toBe(`bulk-op:${kw.chunk_number}`);
      seen.push(...kw.items);
      if (n === 7) expect(await failJob(env, { job: job!, worker: "w1", error: new Error("bad row") })).toBe("failed");
      else expect(await completeJob(env, { job: job!, worker: "w1", result: kw.items.length })).toBe("finished");
      percents.push((await group.progress()).percent);
    }
    expect(seen.sort()).toEqual([...items].sort());
    expect(percents).toEqual(Array.from({ length: 20 }, (_, i) => (i + 1) * 5));
    expect(await group.wait({ timeoutMs: 1000 })).toEqual({ total: 20, finished: 19, failed: 1, pending: 0, missing: 0, percent: 100 });
    // Another process can follow the same group by id.
    expect((await openChunkGroup("bulk-op", 20, env).progress()).finished).toBe(19);
  });

  it("wait() gives up with a clear error when nothing runs the jobs", async () => {
    const group = await enqueueChunks("my_app.tasks.process_chunk", [1, 2, 3], { size: 2, queue: "short", env });
    expect(group.jobIds).toHaveLength(2);
    expect(group.id).toMatch(/^chunks-[0-9a-f-]{36}$/);
    await expect(group.wait({ timeoutMs: 150, intervalMs: 20 })).rejects.toThrow(/chunk group chunks-.*: 2 of 2 jobs not ended after 150 ms/);
  });

  it("inside transaction() with enqueueAfterCommit, chunks are written only when it succeeds", async () => {
    setActiveContext(env);
    let group!: Awaited<ReturnType<typeof enqueueChunks>>;
    await expect(
      transaction(async () => {
        group = await enqueueChunks("my_app.tasks.process_chunk", [1, 2, 3, 4], { size: 2, queue: "default", jobIdPrefix: "tx-a", enqueueAfterCommit: true, env });
        expect((await group.progress()).missing).toBe(2);
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect((await group.progress()).missing).toBe(2);

    await transaction(async () => {
      group = await enqueueChunks("my_app.tasks.process_chunk", [1, 2, 3, 4], { size: 2, queue: "default", jobIdPrefix: "tx-b", enqueueAfterCommit: true, env });
    });
    expect(await group.progress()).toMatchObject({ pending: 2, missing: 0 });
  });

  it("refuses bad input before writing anything, naming the problem", async () => {
    const before = await t.keyCount();
    await expect(enqueueChunks("my_app.tasks.x", items, { size: 0, env })).rejects.toThrow("enqueueChunks: size must be an integer >= 1, got 0");
    await expect(enqueueChunks("my_app.tasks.x", "abc" as never, { size: 1, env })).rejects.toThrow("enqueueChunks: items must be an array");
    await expect(enqueueChunks("my_app.tasks.x", items, { size: 10, jobId: "x", env })).rejects.toThrow(/option "jobId" is not supported/);
    await expect(enqueueChunks("my_app.tasks.x", items, { size: 10, queue: "nope", env })).rejects.toThrow(/unknown queue "nope"/);
    await expect(enqueueChunks("my_app.tasks.x", [() => 1], { size: 10, env })).rejects.toThrow(/kwargs/);
    expect(await t.keyCount()).toBe(before);
  });
});
