/**
 * The per-minute history: written by the job scripts (manual clock, so minutes are exact),
 * read back by GET /api/metrics/history on a real server. Sums over a range equal this
 * process's counters; the bucket layout is the one /metrics uses; each hash expires 7 days
 * after its minute; bad parameters answer 400 with one line naming the parameter.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { completeJob, completeMany, dequeue, failJob } from "../../src/queue/lifecycle.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import type { Job } from "../../src/queue/types.js";
import { startHttpServer, type HttpHandle } from "../../src/http/server.js";
import { DURATION_BUCKETS_SECONDS } from "../../src/telemetry/duration-buckets.js";
import { jobTally } from "../../src/telemetry/job-tally.js";
import { HISTORY_RETENTION_MS, type HistoryAnswer } from "../../src/http/metrics/history.js";
import type { ResolvedConfig } from "../../src/config/types.js";
import { queueFixture, T0, type QueueFixture } from "../queue/helpers.js";

let f: QueueFixture;
let http: HttpHandle;
const Q = "my_custom_queue";

beforeAll(async () => {
  f = await queueFixture("http-history", { "x.tasks.t": () => null });
  const config: ResolvedConfig = {
    hooksFile: "/virtual/hooks.ts",
    appRoot: "/virtual",
    redisUrl: f.t.url,
    prefix: f.t.prefix,
    timezone: "UTC",
    schedulerInterval: 60,
    queues: f.env.queues,
    logLevel: "info",
    retention: f.env.retention,
    redact: [],
    sources: { redisUrl: "flag", prefix: "flag", timezone: "default", schedulerInterval: "default", logLevel: "default" },
  };
  http = (await startHttpServer(
    { redis: f.t.redis, keys: f.t.keys, config, readOnly: false, clock: f.env.clock, role: "serve" },
    { address: { host: "127.0.0.1", port: 0 }, warn: (m) => { throw new Error(m); } },
  ))!;
});

afterAll(async () => {
  await http?.close();
  await f.t.cleanup();
});

async function take(): Promise<Job> {
  const job = await dequeue(f.env, { queues: [Q], worker: "w1", leaseMs: 60_000 });
  if (!job) throw new Error("nothing to take");
  return job;
}

async function history(query: string): Promise<{ status: number; body: HistoryAnswer & { error?: string } }> {
  const res = await fetch(`${http.url}/api/metrics/history?${query}`);
  return { status: res.status, body: (await res.json()) as never };
}

describe("metrics history", () => {
  it("sums over a range equal the counters, minute by minute", async () => {
    const counted = (outcome: string) => jobTally.outcomeSeries().filter((s) => s.queue === Q && s.outcome === outcome).reduce((n, s) => n + s.value, 0);
    const before = { c: counted("completed"), f: counted("failed") };
    // minute 0: 3 done (one alone, two batched), waited 2 s, ran 30 ms; minute 2: 2 failed after 4 s
    for (let i = 0; i < 5; i++) await enqueueWith(f.env, "x.tasks.t", { queue: Q });
    f.clock.advance(2000);
    const a = await take();
    f.clock.advance(30);
    expect(await completeJob(f.env, { job: a, worker: "w1", result: null })).toBe("finished");
    const [b, c] = [await take(), await take()];
    f.clock.advance(30);
    expect((await completeMany(f.env, { worker: "w1", items: [{ job: b, result: 1 }, { job: c, result: 2 }] })).outcomes).toEqual(["finished", "finished"]);
    f.clock.advance(120_000);
    const [d, e] = [await take(), await take()];
    f.clock.advance(4000);
    for (const j of [d, e]) expect(await failJob(f.env, { job: j, worker: "w1", error: new Error("no") })).toBe("failed");

    const { status, body } = await history(`queue=${Q}&from=${T0}&to=${f.env.clock()}&step=60`);
    expect(status).toBe(200);
    expect(body.queue).toBe(Q);
    expect(body.bucketBounds).toEqual(DURATION_BUCKETS_SECONDS);
    expect(body.points.map((p) => p.t)).toEqual([T0, T0 + 60_000, T0 + 120_000]);
    const sum = (k: "completed" | "failed") => body.points.reduce((n, p) => n + p[k], 0);
    expect(sum("completed")).toBe(counted("completed") - before.c);
    expect(sum("failed")).toBe(counted("failed") - before.f);
    expect(body.points[0]).toMatchObject({ completed: 3, failed: 0 });
    expect(body.points[2]).toMatchObject({ completed: 0, failed: 2 });
    // 30 ms runs in the (0.025, 0.05] bucket; 2 s waits in (1, 2.5]; 4 s fails in (2.5, 5]
    const at = (s: number) => DURATION_BUCKETS_SECONDS.indexOf(s);
    expect(body.points[0]!.runBuckets[at(0.05)]).toBe(3);
    expect(body.points[0]!.waitBuckets[at(2.5)]).toBe(3);
    expect(body.points[2]!.runBuckets[at(5)]).toBe(2);
    expect(body.points[0]!.runSumSeconds).toBeCloseTo(3 * 0.03, 5);
    expect(body.points[0]!.runBuckets).toHaveLength(DURATION_BUCKETS_SECONDS.length + 1);

    // one 3-minute step sums the same; no queue = all queues summed
    const wide = await history(`from=${new Date(T0).toISOString()}&to=${f.env.clock()}&step=180`);
    expect(wide.body.queue).toBeNull();
    expect(wide.body.points).toHaveLength(1);
    expect(wide.body.points[0]).toMatchObject({ completed: 3, failed: 2 });

    // each minute's hash lives 7 days past its minute
    // (set at the minute's first write, T0 + 2030 ms by the scripts' clock)
    const ttl = await f.t.redis.pttl(f.t.keys.history(T0, Q));
    expect(ttl).toBeLessThanOrEqual(60_000 + HISTORY_RETENTION_MS - 2030);
    expect(ttl).toBeGreaterThan(60_000 + HISTORY_RETENTION_MS - 2030 - 60_000);
    // no attempt counter marks the first write: every hash written (minute 2's began with a
    // failure) still got its expiry, and only the fields readers use are stored
    const minute2 = f.t.keys.history(T0 + 120_000, Q);
    expect(await f.t.redis.pttl(minute2)).toBeGreaterThan(HISTORY_RETENTION_MS);
    expect(Object.keys(await f.t.redis.hgetall(f.t.keys.history(T0, Q))).sort()).toEqual(["c", "r4", "rs", "w9", "ws"]);
  });

  it("the Lua bucket bounds are the ones /metrics uses", () => {
    const lua = readFileSync(new URL("../../src/redis/lua/history_lib.lua", import.meta.url), "utf8");
    const bounds = /HISTORY_BOUNDS_MS = \{([^}]*)\}/.exec(lua)![1]!.split(",").map((s) => Number(s.trim()) / 1000);
    expect(bounds).toEqual(DURATION_BUCKETS_SECONDS);
  });

  it("bad parameters: 400 with one line naming the parameter", async () => {
    for (const [q, word] of [["from=yesterday", "from"], ["step=90", "step"], ["step=60&from=0&to=9999999999999", "step"], [`from=${T0 + 1}&to=${T0}`, "after"]] as const) {
      const r = await history(q);
      expect(r.status).toBe(400);
      expect(r.body.error).toContain(word);
      expect(r.body.error).not.toContain("\n");
    }
  });
});
