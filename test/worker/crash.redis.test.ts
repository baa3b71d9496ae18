/**
 * Crash recovery with real processes: a child killed with SIGKILL mid-job, a job that kills its
 * worker every time (the OOM case), (see also host-gone.redis.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testRedis, waitFor, type TestRedis } from "../helpers/redis.js";
import { attempts, childRunning, enqueueMany, fixture, getJob, queueEnv, spawnWorker } from "./helpers.js";
import { exitOf, type Watched, stoppedAfterEach } from "../helpers/spawn.js";

let t: TestRedis;
/** Killed (and awaited) after each test: a failing test leaves no process behind. */
const workers = stoppedAfterEach();

beforeAll(async () => {
  t = await testRedis("worker-crash");
});
afterAll(async () => {
  await t.cleanup();
});


describe("crash recovery", () => {
  it("a child killed with SIGKILL mid-job: its job is requeued at once and finished by the replacement", async () => {
    const env = queueEnv(t);
    const record = `${t.keys.root}:test:kill-child`;
    const [slow] = await enqueueMany(env, 1, "app.tasks.sleep", { queue: "default", record, ms: 1500 });
    const w = spawnWorker(t, fixture("app"), ["--queue", "default"]);
    workers.push(w);
    const pid = await childRunning(t, record, slow!);
    const killedAt = Date.now();
    process.kill(pid, "SIGKILL");
    // Requeued at once by the supervisor (no lease to wait for), then run by the replacement.
    await waitFor(async () => (await getJob(t, slow!)).stalls === 1, 10_000);
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    await waitFor(async () => (await getJob(t, slow!)).status === "finished", 20_000);

    const job = await getJob(t, slow!);
    expect(job.stalls).toBe(1);
    const history = await attempts(t, slow!);
    expect(history.map((a) => a.outcome)).toEqual(["requeued", "finished"]);
    expect(history[0]!.reason).toMatch(/^abandoned: worker .+ died at \d{4}-/);
    const runs = await t.redis.lrange(record, 0, -1);
    expect(runs.filter((r) => r.startsWith(`start:${slow}`))).toHaveLength(2);
    expect(runs.filter((r) => r === `end:${slow}`)).toHaveLength(1);

    w.proc.kill("SIGTERM");
    expect((await exitOf(w)).code).toBe(0);
  });

  it("a job that kills its worker every time is failed as abandoned once past the stall limit (1)", async () => {
    const env = queueEnv(t);
    const record = `${t.keys.root}:test:die`;
    const [die] = await enqueueMany(env, 1, "app.tasks.die", { queue: "default", record });
    const [ok] = await enqueueMany(env, 1, "app.tasks.mark", { queue: "default", record });
    const w = spawnWorker(t, fixture("app"), ["--queue", "default", "--burst"]);
    workers.push(w);
    expect((await exitOf(w)).code).toBe(0);

    const job = await getJob(t, die!);
    expect(job.status).toBe("failed");
    expect(job.error?.message).toMatch(/^abandoned: worker \S+ died at \d{4}-\d\d-\d\dT.* \(stalled 2 times, limit 1\)$/);
    expect((await attempts(t, die!)).map((a) => a.outcome)).toEqual(["requeued", "abandoned"]);
    expect((await t.redis.lrange(record, 0, -1)).filter((r) => r.startsWith(`die:${die}`))).toHaveLength(2);
    expect((await getJob(t, ok!)).status).toBe("finished");
  });
});
