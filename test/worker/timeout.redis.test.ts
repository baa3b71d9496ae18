/**
 * Hard and soft timeouts with real processes. fixtures/app gives the short queue a 1 s timeout.
 * A task that blocks its child's event loop for good (`while (true) {}`) can only be stopped from
 * outside: the supervisor kills the child at the deadline, fails the job with the timeout error,
 * requeues the child's other jobs and starts a replacement that serves the next jobs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testRedis, type TestRedis } from "../helpers/redis.js";
import { attempts, census, enqueueMany, events, fixture, getJob, queueEnv, spawnWorker } from "./helpers.js";
import { exitOf, type Watched, stoppedAfterEach } from "../helpers/spawn.js";

let t: TestRedis;
/** Killed (and awaited) after each test: a failing test leaves no process behind. */
const workers = stoppedAfterEach();

beforeAll(async () => {
  t = await testRedis("worker-timeout");
});
afterAll(async () => {
  await t.cleanup();
});

function pidOf(entry: string | undefined): string | undefined {
  return entry?.split(":")[2];
}

/** Failed by the short queue's 1 s hard timeout: killed at the deadline, not long after it. */
async function expectKilledAtShortTimeout(id: string): Promise<void> {
  const spun = await getJob(t, id);
  expect(spun.status).toBe("failed");
  expect(spun.error?.message).toBe("timed out after 1 s (queue short timeout)");
  expect(spun.error?.name).toBe("JobTimeoutError");
  expect(spun.endedAt! - spun.startedAt!).toBeGreaterThanOrEqual(1000);
  expect(spun.endedAt! - spun.startedAt!).toBeLessThan(4000);
  expect((await attempts(t, id)).map((a) => a.outcome)).toEqual(["timeout"]);
}

describe("hard timeout", () => {
  it("kills a busy-looping job at its queue timeout, fails it, and serves the next job in a new child", async () => {
    const env = queueEnv(t);
    const record = `${t.keys.root}:test:busy`;
    const [spin] = await enqueueMany(env, 1, "app.tasks.spin", { queue: "short", record });
    const [after] = await enqueueMany(env, 1, "app.tasks.sleep", { queue: "short", record, ms: 10 });
    const w = spawnWorker(t, fixture("app"), ["--queue", "short", "--burst"]);
    workers.push(w);
    expect((await exitOf(w)).code).toBe(0);

    await expectKilledAtShortTimeout(spin!);

    expect((await getJob(t, after!)).status).toBe("finished");
    const runs = await t.redis.lrange(record, 0, -1);
    const spinPid = pidOf(runs.find((r) => r.startsWith("spin:")));
    const nextPid = pidOf(runs.find((r) => r.startsWith(`start:${after}`)));
    expect(spinPid).toBeDefined();
    expect(nextPid).toBeDefined();
    expect(nextPid).not.toBe(spinPid);

    const ev = await events(t);
    const timeoutEvents = ev.filter((e) => e.type === "job.timed_out");
    expect(timeoutEvents).toHaveLength(1);
    expect(timeoutEvents[0]!.jobId).toBe(spin);
    expect(ev.some((e) => e.type === "child.restarted" && e.data?.reason === "timeout")).toBe(true);
  });

  it("kills a job that blocks before its child could pulse: the silence and its lease in Redis give it away", async () => {
    const env = queueEnv(t);
    const [spin] = await enqueueMany(env, 1, "app.tasks.spinAtOnce", { queue: "short" });
    const w = spawnWorker(t, fixture("app"), ["--queue", "short", "--burst"]);
    workers.push(w);
    expect((await exitOf(w)).code).toBe(0);

    await expectKilledAtShortTimeout(spin!);
  });

  it("requeues (does not fail) the other jobs of the killed child, which then finish", async () => {
    const env = queueEnv(t);
    const record = `${t.keys.root}:test:bystander`;
    // default first: the slow job starts, then the spinning one joins it in the same child.
    const [slow] = await enqueueMany(env, 1, "app.tasks.sleep", { queue: "default", record, ms: 1500 });
    const [spin] = await enqueueMany(env, 1, "app.tasks.spin", { queue: "short", record });
    const w = spawnWorker(t, fixture("app"), ["--queue", "default,short", "--burst", "--concurrency", "2"]);
    workers.push(w);
    expect((await exitOf(w)).code).toBe(0);

    expect((await getJob(t, spin!)).status).toBe("failed");
    const slowJob = await getJob(t, slow!);
    expect(slowJob.status).toBe("finished");
    expect(slowJob.stalls).toBe(0);
    expect((await attempts(t, slow!)).map((a) => a.outcome)).toEqual(["requeued", "finished"]);
    const runs = await t.redis.lrange(record, 0, -1);
    expect(runs.filter((r) => r.startsWith(`start:${slow}`))).toHaveLength(2);
    expect(runs.filter((r) => r === `end:${slow}`)).toHaveLength(1);

    const where = await census(t, ["default", "short"]);
    expect(where.get(slow!)).toEqual(["finished:default"]);
    expect(where.get(spin!)).toEqual(["failed:short"]);
  });
});
