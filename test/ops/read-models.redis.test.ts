/** searchJobs, readJobDetail, retryFailed and readStatus against real Redis. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readJobDetail } from "../../src/ops/job-detail.js";
import { searchJobs } from "../../src/ops/job-search.js";
import { retryFailed } from "../../src/ops/retry-failed.js";
import { readStatus } from "../../src/ops/status.js";
import { getJobWith } from "../../src/queue/registry.js";
import { touchWorker } from "../../src/worker/supervisor/worker-records.js";
import { setSwitch } from "../../src/scheduler/switches.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import { runInJobContext } from "../../src/runtime/job-context.js";
import type { Job } from "../../src/queue/types.js";
import { logError } from "../../src/patterns/log-error.js";
import { seeder, WORKER, type Seeder } from "./fixture.js";

let s: Seeder;

beforeAll(async () => {
  s = await seeder("ops-read");
});
afterAll(async () => {
  await s.t.cleanup();
});

describe("read models", () => {
  it("searchJobs filters by queue and status, newest first, and honours the limit", async () => {
    const f = await s.failed("app.tasks.f");
    const d = await s.finished("app.tasks.d");
    const q = await s.queued("app.tasks.q", { queue: "short" });
    const all = await searchJobs(s.env, {});
    expect(all.map((j) => j.id).sort()).toEqual([f.id, d.id, q.id].sort());
    expect((await searchJobs(s.env, { status: "failed" })).map((j) => j.id)).toEqual([f.id]);
    expect((await searchJobs(s.env, { queue: "short" })).map((j) => j.id)).toEqual([q.id]);
    expect((await searchJobs(s.env, { queue: "short", status: "failed" })).length).toBe(0);
    expect((await searchJobs(s.env, { limit: 2 })).length).toBe(2);
    const ids = (await searchJobs(s.env, { status: "finished" })).map((j) => j.id);
    expect(ids).toEqual([d.id]);
  });

  it("readJobDetail gives the job, its attempts with errors, and null for an unknown id", async () => {
    const f = await s.failed("app.tasks.broken", { error: new TypeError("bad input") });
    const detail = await readJobDetail(s.env, f.id);
    expect(detail?.job.status).toBe("failed");
    expect(detail?.job.error).toMatchObject({ name: "TypeError", message: "bad input" });
    expect(detail?.attempts).toHaveLength(1);
    expect(detail?.attempts[0]).toMatchObject({ attempt: 1, worker: WORKER, outcome: "failed" });
    expect(detail?.attempts[0]?.error?.stack).toContain("bad input");
    expect(await readJobDetail(s.env, "no-such-id")).toBeNull();
  });

  it("readJobDetail links parent and children (a job enqueued from inside a running job)", async () => {
    const parent = await s.started("app.tasks.parent", { queue: "long" });
    const { result: kid } = await runInJobContext(parent, s.env, () => enqueueWith(s.env, "app.tasks.kid", { queue: "short" }) as Promise<Job>);
    const parentDetail = await readJobDetail(s.env, parent.id);
    expect(parentDetail?.children).toEqual([{ id: kid.id, status: "queued", method: "app.tasks.kid" }]);
    const kidDetail = await readJobDetail(s.env, kid.id);
    expect(kidDetail?.parent).toEqual({ id: parent.id, status: "started", method: "app.tasks.parent" });
  });

  it("readJobDetail shows what logError recorded while the job ran, and only for that job", async () => {
    const job = await s.started("app.tasks.sync", { queue: "default" });
    const other = await s.started("app.tasks.other", { queue: "default" });
    const target = { redis: s.env.redis, keys: s.env.keys };
    await runInJobContext(job, s.env, () => logError("Inventory sync", new Error("upstream 502"), target));
    await runInJobContext(other, s.env, () => logError("Other", new Error("nope"), target));
    const detail = await readJobDetail(s.env, job.id);
    expect(detail?.errorLogs).toHaveLength(1);
    expect(detail?.errorLogs[0]).toMatchObject({ type: "log.error", jobId: job.id, msg: "Inventory sync: upstream 502" });
    expect(String(detail?.errorLogs[0]?.data?.stack)).toContain("upstream 502");
  });

  it("retryFailed requeues every failed job of one queue, then of all", async () => {
    const a = await s.failed("app.tasks.r", { queue: "long" });
    const b = await s.failed("app.tasks.r", { queue: "long" });
    const c = await s.failed("app.tasks.r", { queue: "default" });
    const longOnly = await retryFailed(s.env, { queue: "long" });
    expect(longOnly.requeued.sort()).toEqual([a.id, b.id].sort());
    expect((await getJobWith(s.env, a.id))?.status).toBe("queued");
    expect((await getJobWith(s.env, c.id))?.status).toBe("failed");
    const rest = await retryFailed(s.env);
    expect(rest.requeued).toContain(c.id);
    expect(await s.t.redis.zcard(s.t.keys.failed("default"))).toBe(0);
  });

  it("readStatus: queue counts, live workers with ages, scheduler state, Redis facts", async () => {
    const now = s.env.clock();
    await touchWorker(
      s.env,
      { name: "w-test-1", host: "box", pid: 4242, supervisorPid: 4241, queues: ["short", "default"], group: "short,default", startedAt: now - 90_000 },
      { currentJobs: ["job-1"], done: 3, failed: 1, state: "busy" },
      10_000,
    );
    await setSwitch(s.env, "pause", "ops-test");
    await s.t.redis.hset(s.t.keys.schedulerState(), "lastTick", String(now - 5000));
    await s.t.redis.set(s.t.keys.schedulerLeader(), "host-a:123", "PX", 30_000);

    const r = await readStatus(s.env);
    expect(r.prefix).toBe(s.t.prefix);
    expect(r.keyLayout).toBe(s.t.keys.jobTags);
    expect(Object.keys(r.queues)).toEqual(expect.arrayContaining(["default", "long", "short"]));
    expect(r.workers).toHaveLength(1);
    expect(r.workers[0]).toMatchObject({ name: "w-test-1", host: "box", pid: 4242, queues: ["short", "default"], currentJobs: ["job-1"], state: "busy" });
    expect(r.workers[0]!.ageMs).toBeGreaterThanOrEqual(90_000);
    expect(r.scheduler).toMatchObject({ leader: "host-a:123", enabled: true, paused: true, state: "paused", by: "ops-test", lastTick: now - 5000 });
    expect(r.scheduler.leaderTtlMs).toBeGreaterThan(0);
    expect(r.redis.version).toMatch(/^\d+\.\d+/);
    expect(r.redis.usedMemory).toBeGreaterThan(0);
    expect(typeof r.redis.aof).toBe("boolean");
  });
});
