// The console's JSON API on real Redis (Fastify inject, no browser): paging on Redis newest
// first, bounded search that says how far it got, bulk actions that act only on the confirmed
// count, delete, redaction, overview counts, and one clear 400 for bad input.
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerConsole } from "../../src/http/console/register.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import { dequeue, failJob } from "../../src/queue/lifecycle.js";
import type { QueueEnv } from "../../src/queue/context.js";
import type { Job } from "../../src/queue/types.js";
import { redact } from "../../src/security/redact.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";
import { consoleDeps } from "./harness.js";

describe("console API", () => {
  let t: TestRedis;
  let app: FastifyInstance;
  let env: QueueEnv;
  let close: () => void;
  const ids: string[] = [];

  beforeAll(async () => {
    t = await testRedis("console-api");
    const deps = await consoleDeps(t, { tasks: [], redactKeys: ["password", "secret"] });
    close = deps.close;
    env = { redis: t.redis, keys: t.keys, clock: Date.now, queues: deps.config.queues, retention: deps.config.retention };
    app = Fastify();
    await registerConsole(app, deps);
    await app.ready();
    for (let i = 0; i < 25; i++) {
      const job = (await enqueueWith(env, "app.tasks.quick", { queue: "short", kwargs: { n: i, customer: i % 5 === 0 ? "needle-co" : "other", password: "pw-needle" } })) as Job;
      ids.push(job.id);
    }
  });
  afterAll(async () => {
    await app?.close();
    close?.();
    await t?.cleanup();
  });

  const get = async (url: string) => {
    const res = await app.inject({ method: "GET", url });
    return { status: res.statusCode, body: res.json() as Record<string, any> };
  };
  const post = async (url: string, payload: unknown = {}) => {
    const res = await app.inject({ method: "POST", url, payload: payload as object, headers: { "sec-fetch-site": "same-origin" } });
    return { status: res.statusCode, body: res.json() as Record<string, any> };
  };

  it("pages a queue newest first with a cursor, reading only a page", async () => {
    const first = await get("/api/jobs?queue=short&state=queued&limit=10");
    expect(first.status).toBe(200);
    expect(first.body.jobs.map((j: Job) => j.id)).toEqual(ids.slice(-10).reverse());
    expect(first.body.total).toBe(25);
    expect(first.body.scanned).toBe(10);
    const second = await get(`/api/jobs?queue=short&state=queued&limit=10&cursor=${first.body.nextCursor}`);
    expect(second.body.jobs.map((j: Job) => j.id)).toEqual(ids.slice(5, 15).reverse());
    const third = await get(`/api/jobs?queue=short&state=queued&limit=10&cursor=${second.body.nextCursor}`);
    expect(third.body.jobs.map((j: Job) => j.id)).toEqual(ids.slice(0, 5).reverse());
  });

  it("searches kwargs with a bounded scan and says how much it searched", async () => {
    const all = await get("/api/jobs?queue=short&state=queued&q=needle-co");
    expect(all.body.filtered).toBe(true);
    expect(all.body.jobs).toHaveLength(5);
    expect(all.body.scanned).toBe(25);
    const bounded = await get("/api/jobs?queue=short&state=queued&q=needle-co&scan=12");
    expect(bounded.body.scanned).toBe(12);
    expect(bounded.body.total).toBe(25);
    expect(bounded.body.jobs.map((j: Job) => j.id)).toEqual([ids[20], ids[15]]);
    const rest = await get(`/api/jobs?queue=short&state=queued&q=needle-co&scan=100&cursor=${bounded.body.nextCursor}`);
    expect(rest.body.jobs.map((j: Job) => j.id)).toEqual([ids[10], ids[5], ids[0]]);
    // a masked value cannot be searched for
    expect((await get("/api/jobs?queue=short&state=queued&q=pw-needle")).body.jobs).toHaveLength(0);
  });

  it("filters by task and time range", async () => {
    const future = Date.now() + 3_600_000;
    expect((await get(`/api/jobs?queue=short&state=queued&from=${future}`)).body.jobs).toHaveLength(0);
    expect((await get(`/api/jobs?queue=short&state=queued&to=${new Date(future).toISOString()}&limit=500`)).body.jobs).toHaveLength(25);
    expect((await get("/api/jobs?queue=short&state=queued&task=app.tasks.other")).body.jobs).toHaveLength(0);
    expect((await get("/api/jobs?queue=short&state=queued&task=app.tasks.quick&limit=500")).body.jobs).toHaveLength(25);
  });

  it("shows a job with its redacted kwargs", async () => {
    const res = await get(`/api/jobs/${encodeURIComponent(ids[0]!)}`);
    expect(res.status).toBe(200);
    expect(res.body.job.kwargs).toEqual({ n: 0, customer: "needle-co", password: redact({ password: "x" }).password });
    expect((await get("/api/jobs/no-such-job")).status).toBe(404);
  });

  it("answers bad input with one line naming the parameter", async () => {
    const bad = await get("/api/jobs?state=sleeping");
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^state=sleeping is not a job state/);
    expect((await get("/api/jobs?limit=0")).body.error.message).toMatch(/^limit=0 /);
    expect((await get("/api/jobs?from=yesterday")).body.error.message).toMatch(/^from=yesterday is not a time/);
    expect((await get("/api/events?level=loud")).status).toBe(400);
  });

  it("fails, counts, retries in bulk only the confirmed count, and shows failures on the overview", async () => {
    const failed: string[] = [];
    for (let i = 0; i < 3; i++) {
      const job = (await dequeue(env, { queues: ["short"], worker: "test-worker", leaseMs: 30_000 }))!;
      expect(await failJob(env, { job, worker: "test-worker", error: new Error(`boom ${i}`) })).toBe("failed");
      failed.push(job.id);
    }
    const overview = await get("/api/overview");
    const short = overview.body.queues.find((q: { name: string }) => q.name === "short");
    expect(short.counts.failed).toBe(3);
    expect(short.failedLastHour).toBe(3);
    expect(short.oldestQueuedAgeMs).toBeGreaterThanOrEqual(0);
    expect(overview.body.failures.map((f: { id: string }) => f.id).sort()).toEqual([...failed].sort());
    expect(overview.body.warnings).toContain("no worker is alive: jobs are not being run (start `scheduler start` or `scheduler worker`)");

    const count = await get("/api/jobs/bulk/count?queue=short&state=failed");
    expect(count.body.count).toBe(3);
    const stale = await post("/api/jobs/bulk", { action: "retry", queue: "short", state: "failed", expect: 2 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toMatch(/selects 3 job\(s\) now, not 2/);
    expect(await t.redis.zcard(t.keys.failed("short"))).toBe(3);
    const done = await post("/api/jobs/bulk", { action: "retry", queue: "short", state: "failed", expect: 3 });
    expect(done.body).toEqual({ action: "retry", done: 3 });
    expect(await t.redis.zcard(t.keys.failed("short"))).toBe(0);
    for (const id of failed) expect(await t.redis.hget(t.keys.job(id, t.keys.jobTag("short")), "status")).toBe("queued");
  });

  it("deletes one job, refuses a running one, and bulk-deletes a queue's queued jobs", async () => {
    const running = (await dequeue(env, { queues: ["short"], worker: "test-worker", leaseMs: 30_000 }))!;
    const refused = await post(`/api/jobs/${encodeURIComponent(running.id)}/delete`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/cancel it first/);
    const victim = (await t.redis.lrange(t.keys.queue("short"), 0, 0))[0]!;
    expect((await post(`/api/jobs/${encodeURIComponent(victim)}/delete`)).status).toBe(200);
    expect(await t.redis.exists(t.keys.job(victim, t.keys.jobTag("short")))).toBe(0);
    expect(await t.redis.lpos(t.keys.queue("short"), victim)).toBeNull();
    expect((await post(`/api/jobs/${encodeURIComponent(victim)}/delete`)).status).toBe(404);
    const left = await t.redis.llen(t.keys.queue("short"));
    const gone = await post("/api/jobs/bulk", { action: "delete", queue: "short", state: "queued", expect: left });
    expect(gone.body).toEqual({ action: "delete", done: left });
    expect(await t.redis.llen(t.keys.queue("short"))).toBe(0);
  });
});
