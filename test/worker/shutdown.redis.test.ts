/**
 * Graceful and forced stops of `scheduler worker`: the first SIGTERM lets the running job
 * finish and exits 0; a second signal (or the end of --grace) kills the child and puts its job
 * back at the front of its queue, not failed and not counted as a stall.
 */
import { describe, expect, it } from "vitest";
import { testRedis, waitFor, type TestRedis } from "../helpers/redis.js";
import { attempts, census, enqueueMany, fixture, getJob, queueEnv, spawnWorker } from "./helpers.js";
import { exitOf, type Watched } from "../helpers/spawn.js";

type OnTestFinished = (fn: () => Promise<void>) => void;

/**
 * The tests run side by side (most of their time is a job's or a grace period's wait), so each
 * has its own key prefix (queue "default" and its order are the test's own) and its own
 * processes, killed (-9, awaited) when that test ends: a failing test leaves nothing behind.
 */
async function own(onTestFinished: OnTestFinished): Promise<{ t: TestRedis; workers: Watched[] }> {
  const t = await testRedis("worker-shutdown");
  const workers: Watched[] = [];
  onTestFinished(async () => {
    await Promise.all(workers.splice(0).map((w) => w.kill9()));
    await t.cleanup();
  });
  return { t, workers };
}

async function started(t: TestRedis, record: string, id: string): Promise<void> {
  await waitFor(async () => (await t.redis.lrange(record, 0, -1)).some((r) => r.startsWith(`start:${id}:`)), 20_000);
}

describe.concurrent("stopping a worker", () => {
  it("SIGTERM during a 2 s job: the job finishes, then the process exits 0", async ({ onTestFinished }) => {
    const { t, workers } = await own(onTestFinished);
    const env = queueEnv(t);
    const record = `${t.keys.root}:test:graceful`;
    const [job] = await enqueueMany(env, 1, "app.tasks.sleep", { queue: "default", record, ms: 2000 });
    const w = spawnWorker(t, fixture("app"), ["--queue", "default"]);
    workers.push(w);
    await started(t, record, job!);
    w.proc.kill("SIGTERM");
    expect((await exitOf(w)).code).toBe(0);
    expect((await getJob(t, job!)).status).toBe("finished");
    expect(await t.redis.lrange(record, 0, -1)).toContain(`end:${job}`);
    expect((await attempts(t, job!)).map((a) => a.outcome)).toEqual(["finished"]);
  });

  it("Ctrl-C (SIGINT to the whole process group, children included) stops gracefully too", async ({ onTestFinished }) => {
    const { t, workers } = await own(onTestFinished);
    const env = queueEnv(t);
    const record = `${t.keys.root}:test:ctrl-c`;
    const [job] = await enqueueMany(env, 1, "app.tasks.sleep", { queue: "default", record, ms: 1500 });
    const w = spawnWorker(t, fixture("app"), ["--queue", "default"], { detached: true });
    workers.push(w);
    await started(t, record, job!);
    process.kill(-w.proc.pid!, "SIGINT");
    expect((await exitOf(w)).code).toBe(0);
    expect((await getJob(t, job!)).status).toBe("finished");
    expect((await attempts(t, job!)).map((a) => a.outcome)).toEqual(["finished"]);
  });

  it("a second signal kills the child and requeues its job to the front; exit 0", async ({ onTestFinished }) => {
    const { t, workers } = await own(onTestFinished);
    const env = queueEnv(t);
    const record = `${t.keys.root}:test:forced`;
    const [job] = await enqueueMany(env, 1, "app.tasks.sleep", { queue: "default", record, ms: 20_000 });
    const w = spawnWorker(t, fixture("app"), ["--queue", "default"]);
    workers.push(w);
    await started(t, record, job!);
    const [other] = await enqueueMany(env, 1, "app.tasks.mark", { queue: "default", record });
    w.proc.kill("SIGTERM");
    await w.waitForLog("stopping: no new jobs");
    w.proc.kill("SIGTERM");
    expect((await exitOf(w)).code).toBe(0);

    const stopped = await getJob(t, job!);
    expect(stopped.status).toBe("queued");
    expect(stopped.stalls).toBe(0);
    expect((await attempts(t, job!)).map((a) => [a.outcome, a.reason])).toEqual([["requeued", "worker shutdown"]]);
    // At the front: ahead of the job enqueued after it started.
    expect(await t.redis.lrange(t.keys.queue("default"), 0, -1)).toEqual([job, other]);
    expect(await t.redis.lrange(record, 0, -1)).not.toContain(`end:${job}`);
    const where = await census(t, ["default"]);
    expect(where.get(job!)).toEqual(["queued:default"]);
    await t.redis.del(t.keys.queue("default"));
  });

  it("--grace: past the grace period the stop is forced and the job requeued", async ({ onTestFinished }) => {
    const { t, workers } = await own(onTestFinished);
    const env = queueEnv(t);
    const record = `${t.keys.root}:test:grace`;
    const [job] = await enqueueMany(env, 1, "app.tasks.sleep", { queue: "default", record, ms: 20_000 });
    const w = spawnWorker(t, fixture("app"), ["--queue", "default", "--grace", "1"]);
    workers.push(w);
    await started(t, record, job!);
    const signalledAt = Date.now();
    w.proc.kill("SIGINT");
    expect((await exitOf(w)).code).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(8000);
    expect(w.lines.some((l) => typeof l.why === "string" && l.why.startsWith("grace period of 1 s ended"))).toBe(true);
    expect((await getJob(t, job!)).status).toBe("queued");
  });
});
