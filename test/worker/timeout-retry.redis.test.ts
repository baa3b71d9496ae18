/**
 * Timeouts, continued (see timeout.redis.test.ts): a timeout is a failed attempt like any other
 * (retried when the job has retries), and the soft timeout lets a cooperative task stop itself
 * before the hard kill. fixtures/app gives the short queue a 1 s timeout.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testRedis, type TestRedis } from "../helpers/redis.js";
import { attempts, census, enqueueMany, events, fixture, getJob, idsIn, queueEnv, spawnWorker } from "./helpers.js";
import { exitOf, type Watched, stoppedAfterEach } from "../helpers/spawn.js";

let t: TestRedis;
/** Killed (and awaited) after each test: a failing test leaves no process behind. */
const workers = stoppedAfterEach();

beforeAll(async () => {
  t = await testRedis("worker-timeout-retry");
});
afterAll(async () => {
  await t.cleanup();
});

function pidOf(entry: string | undefined): string | undefined {
  return entry?.split(":")[2];
}

describe("hard timeout and retries", () => {
  it("counts a timeout as a failed attempt: a job with retries runs again, then fails", async () => {
    const env = queueEnv(t);
    const [spin] = await enqueueMany(env, 1, "app.tasks.spin", { queue: "short", retry: { max: 1, delay: 0 } });
    const w = spawnWorker(t, fixture("app"), ["--queue", "short", "--burst"]);
    workers.push(w);
    expect((await exitOf(w)).code).toBe(0);
    const job = await getJob(t, spin!);
    expect(job.status).toBe("failed");
    expect(job.attempt).toBe(2);
    expect((await attempts(t, spin!)).map((a) => a.outcome)).toEqual(["timeout", "timeout"]);
    expect(idsIn(await census(t, ["short"]), "failed:short")).toContain(spin);
  });
});

describe("soft timeout", () => {
  it("aborts currentJob().signal before the hard limit: a cooperative task stops and its child lives on", async () => {
    const env = queueEnv(t);
    const record = `${t.keys.root}:test:coop`;
    const [coop] = await enqueueMany(env, 1, "app.tasks.cooperative", { queue: "short", record });
    const [after] = await enqueueMany(env, 1, "app.tasks.sleep", { queue: "short", record, ms: 10 });
    const w = spawnWorker(t, fixture("app"), ["--queue", "short", "--burst"]);
    workers.push(w);
    expect((await exitOf(w)).code).toBe(0);

    const job = await getJob(t, coop!);
    expect(job.status).toBe("failed");
    expect(job.error?.message).toBe("timed out after 1 s (queue short timeout)");
    // stopped by the soft timeout, not the hard one: no job.timed_out event (the hard limit's,
    // below) and the same child ran the next job (a hard timeout kills it). Not a bound on
    // endedAt - startedAt: on a loaded machine the supervisor records the end past 1 s.
    expect((await getJob(t, after!)).status).toBe("finished");
    const runs = await t.redis.lrange(record, 0, -1);
    expect(pidOf(runs.find((r) => r.startsWith("start:")))).toBe(pidOf(runs.find((r) => r.startsWith("coop:"))));
    expect((await events(t)).filter((e) => e.type === "job.timed_out" && e.jobId === coop)).toEqual([]);
  });
});
