/**
 * The readers over several queues on the per-queue layout (issue 17: each queue's job keys on
 * its own tag): job search and list, the by-id and by-prefix lookups, purge counts, leased jobs,
 * the /metrics figures, the console's workers and overview, getQueue().jobs and doctor's stuck
 * and failure checks each read a job's keys on its queue's tag, one pipeline per tag. Runs on one
 * Redis and again on the cluster ("on-cluster" project), where the three queues are on three
 * masters: a pipeline over two of them, or a job key built on the installation's tag, fails there.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock } from "../../src/base/clock.js";
import { createKeys, type Keys } from "../../src/redis/keys.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import { completeJob, dequeue, failJob } from "../../src/queue/lifecycle.js";
import { getQueue } from "../../src/queue/queue.js";
import type { QueueEnv } from "../../src/queue/context.js";
import type { Job } from "../../src/queue/types.js";
import { readJobsById, searchJobs } from "../../src/ops/job-search.js";
import { resolveJobId } from "../../src/ops/job-id-prefix.js";
import { countPurgeable } from "../../src/ops/purge.js";
import { leasedJobs } from "../../src/worker/leased-jobs.js";
import { readRedisFigures } from "../../src/http/metrics/redis-figures.js";
import { readWorkers } from "../../src/http/api/workers.js";
import { readOverview } from "../../src/http/api/overview.js";
import { listJobs } from "../../src/http/api/job-list.js";
import type { ApiContext } from "../../src/http/api/context.js";
import { recentFailuresCheck, stuckJobsCheck } from "../../src/cli/doctor/runtime-checks.js";
import type { DoctorContext } from "../../src/cli/doctor/types.js";
import type { ResolvedConfig } from "../../src/config/types.js";
import { touchWorker } from "../../src/worker/supervisor/worker-records.js";
import { masterOf, queuesOnDistinctMasters } from "../helpers/distinct-masters.js";
import { ON_TOPOLOGY } from "../helpers/redis.js";
import { readStatus } from "../../src/ops/status.js";
import { queueFixture, type QueueFixture } from "../queue/helpers.js";

const METHOD = "app.tasks.noop";
const Q = { timeout: 60, workers: 1, concurrency: 1 };
let f: QueueFixture;
let keys: Keys;
let env: QueueEnv;
/** Three queues whose tags are on three different masters on the cluster. */
let A: string, B: string, C: string;
const ids = { aQueued: "job-A-queued", aDone: "job-A-done", bRun: "job-B-run", bQueued: "job-B-queued", cFailed: "job-C-failed", cRun: "job-C-run" };
// the clock near the real one: doctor's checks read the system clock
const NOW = Date.now();

beforeAll(async () => {
  f = await queueFixture("readers-tags", { [METHOD]: () => "ok" });
  keys = createKeys(f.t.prefix, { jobTags: "queue" });
  [A, B, C] = (await queuesOnDistinctMasters(f.env.redis, keys)) as [string, string, string];
  env = { ...f.env, keys, clock: manualClock(NOW), queues: { ...f.env.queues, [A]: Q, [B]: Q, [C]: Q } };
  const put = (queue: string, jobId: string, o: Record<string, unknown> = {}) => enqueueWith(env, METHOD, { queue, jobId, ...o }) as Promise<Job>;
  const take = async (queue: string) => (await dequeue(env, { queues: [queue], worker: "w1", leaseMs: 600_000 }))!;
  await put(A, ids.aDone);
  await completeJob(env, { job: await take(A), worker: "w1", result: 1 });
  await put(A, ids.aQueued);
  await put(B, ids.bRun, { timeout: 1 });
  await take(B);
  await put(B, ids.bQueued);
  await put(C, ids.cFailed, { retry: { max: 0 } });
  await failJob(env, { job: await take(C), worker: "w1", error: new Error("boom") });
  await put(C, ids.cRun);
  await take(C);
});
afterAll(() => f.t.cleanup());

describe("readers over queues on their own tags", () => {
  it("status names the layout, and on the cluster which master holds each queue's tag", async () => {
    const r = await readStatus(env);
    expect(r.keyLayout).toBe("queue");
    if (!ON_TOPOLOGY) return void expect(r.masters).toBeUndefined();
    const holders = new Map<string, string>();
    for (const m of r.masters ?? []) for (const tag of m.holds ?? []) holders.set(tag, m.address);
    for (const q of [A, B, C]) expect(holders.get(keys.jobTag(q))).toBe(await masterOf(env.redis, keys.queue(q)));
    expect(new Set([A, B, C].map((q) => holders.get(keys.jobTag(q)))).size).toBe(3);
    expect(holders.get(keys.root)).toBe(await masterOf(env.redis, keys.queues()));
    expect(r.masters!.find((m) => m.holds?.includes(keys.root))?.holdsInstallation).toBe(true);
  });

  it("the queues' job hashes are on three tags (on the cluster: three masters), none on the installation's", async () => {
    expect(new Set([A, B, C].map((q) => keys.jobTag(q))).size).toBe(3);
    if (ON_TOPOLOGY) expect(new Set(await Promise.all([A, B, C].map((q) => masterOf(env.redis, keys.queue(q))))).size).toBe(3);
    expect(await env.redis.exists(keys.job(ids.aQueued, keys.jobTag(A)))).toBe(1);
    expect(await env.redis.exists(keys.job(ids.aQueued))).toBe(0);
  });

  it("searchJobs reads every queue's registries and hashes, and filters by status", async () => {
    const all = await searchJobs(env, {});
    expect(all.map((j) => j.id).sort()).toEqual(Object.values(ids).sort());
    expect((await searchJobs(env, { status: "started" })).map((j) => [j.id, j.queue]).sort()).toEqual([
      [ids.bRun, B],
      [ids.cRun, C],
    ]);
    expect((await searchJobs(env, { queue: C, status: "failed" })).map((j) => j.error?.message)).toEqual(["boom"]);
  });

  it("the console's job list counts and reads a state over every queue", async () => {
    const r = await listJobs(env, { queues: [A, B, C], state: "queued", filter: {}, limit: 10, scan: 100, redactKeys: [] });
    expect(r.total).toBe(2);
    expect(r.jobs.map((j) => j.id).sort()).toEqual([ids.aQueued, ids.bQueued]);
  });

  it("a job by id alone, and by the start of its id, is found on its queue's tag", async () => {
    expect((await readJobsById(env, [ids.aDone, "no-such-job", ids.cFailed])).map((j) => [j.id, j.status])).toEqual([
      [ids.aDone, "finished"],
      [ids.cFailed, "failed"],
    ]);
    // keys that are no known queue's job hash do not count: another tag's, the installation's, a list
    await env.redis.set(`${keys.queueTag("not-a-known-queue")}:job:job-A-decoy`, "x");
    await env.redis.set(keys.job("job-A-decoy-root"), "x");
    expect(await resolveJobId(env, "job-A-q")).toBe(ids.aQueued);
    expect(await resolveJobId(env, "job-A-d")).toBe(ids.aDone);
    expect(await resolveJobId(env, "job-Z")).toBeUndefined();
    await expect(resolveJobId(env, "job-B-")).rejects.toThrow(`job id prefix "job-B-" matches 2 jobs: ${ids.bQueued}, ${ids.bRun}`);
    await expect(resolveJobId(env, "job-")).rejects.toThrow('job id prefix "job-" matches more than 5 jobs');
  });

  it("purge counts read the task of each job on its queue's tag", async () => {
    expect(await countPurgeable(env, { task: METHOD })).toMatchObject({ [A]: 1, [B]: 1, [C]: 0 });
    expect(await countPurgeable(env, { task: "app.tasks.other" })).toMatchObject({ [A]: 0, [B]: 0, [C]: 0 });
  });

  it("leasedJobs finds the worker's started jobs of every queue", async () => {
    const leased = await leasedJobs(env, "w1", [A, B, C]);
    expect(leased.map((j) => [j.id, j.queue, j.startedAt]).sort()).toEqual([
      [ids.bRun, B, NOW],
      [ids.cRun, C, NOW],
    ]);
  });

  it("the /metrics figures count every queue and age each one's oldest queued job", async () => {
    const later = NOW + 5000;
    const figures = await readRedisFigures(env.redis, keys, [A, B, C], () => later);
    expect(figures.error).toBeUndefined();
    expect(figures.jobs.get(A)).toMatchObject({ queued: 1, finished: 1, started: 0 });
    expect(figures.jobs.get(B)).toMatchObject({ queued: 1, started: 1 });
    expect(figures.jobs.get(C)).toMatchObject({ queued: 0, started: 1, failed: 1 });
    expect(figures.oldestAge.get(A)).toBe(5);
    expect(figures.oldestAge.get(B)).toBe(5);
    expect(figures.oldestAge.get(C)).toBe(0);
  });

  it("the console's workers and overview read the current jobs and failures of every queue", async () => {
    await touchWorker(env, { name: "w1", host: "h", pid: 1, supervisorPid: 1, queues: [A, B, C], group: "g", startedAt: NOW }, { currentJobs: [ids.bRun, ids.cRun], done: 0, failed: 1, state: "busy" }, 600_000);
    const ctx = { env, deps: { config: { queues: env.queues, timezone: "UTC", schedulerInterval: 1 } }, tasks: [], redactKeys: [], hooksProblem: undefined } as unknown as ApiContext;
    const { workers } = await readWorkers(ctx);
    expect(workers.map((w) => w.jobs)).toEqual([
      [
        { id: ids.bRun, method: METHOD, elapsedMs: 0, timeoutMs: 1000 },
        { id: ids.cRun, method: METHOD, elapsedMs: 0, timeoutMs: 60_000 },
      ],
    ]);
    const overview = await readOverview(ctx);
    expect(overview.failures.map((x: { id: string; queue: string }) => [x.id, x.queue])).toEqual([[ids.cFailed, C]]);
    const byName = new Map(overview.queues.map((q: { name: string }) => [q.name, q]));
    expect(byName.get(C)).toMatchObject({ failedLastHour: 1 });
    expect(byName.get(A)).toMatchObject({ oldestQueuedAgeMs: 0 });
  });

  it("getQueue().jobs() reads the waiting jobs' hashes on the queue's tag", async () => {
    expect((await getQueue(B, env).jobs()).map((j) => j.id)).toEqual([ids.bQueued]);
  });

  it("doctor finds a job stuck past its timeout and the last hour's failures on their queues' tags", async () => {
    await env.redis.hset(keys.job(ids.bRun, keys.jobTag(B)), "startedAt", String(Date.now() - 60_000));
    const config = { prefix: f.t.prefix, queues: env.queues, retention: env.retention } as unknown as ResolvedConfig;
    const ctx: DoctorContext = { options: { cwd: process.cwd(), env: {}, jobTags: "queue" }, redis: env.redis, config, cleanup: [] };
    const stuck = await stuckJobsCheck.run(ctx);
    expect(stuck.map((x) => x.level)).toEqual(["error"]);
    expect(stuck[0]!.message).toContain(`job ${ids.bRun} (${METHOD}, queue ${B})`);
    const [failures] = await recentFailuresCheck.run(ctx);
    expect(failures!.message).toContain(`1 job(s) failed in the last hour (${C}: 1)`);
  });
});
