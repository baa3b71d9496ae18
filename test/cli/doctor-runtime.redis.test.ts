/** doctor's runtime checks: unserved queues, a stopped scheduler, stuck jobs, recent failures. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDoctor } from "../../src/cli/doctor/run.js";
import { workersCheck, schedulerCheck, stuckJobsCheck, recentFailuresCheck } from "../../src/cli/doctor/runtime-checks.js";
import { configCheck, hooksCheck } from "../../src/cli/doctor/hooks-checks.js";
import { redisCheck } from "../../src/cli/doctor/redis-checks.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import { dequeue, failJob } from "../../src/queue/lifecycle.js";
import { type QueueEnv } from "../../src/queue/context.js";
import { BUILTIN_QUEUES, DEFAULT_RETENTION } from "../../src/config/defaults.js";
import { systemClock } from "../../src/base/clock.js";
import { REPO_ROOT } from "../helpers/spawn.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";

describe("doctor runtime checks", () => {
  let t: TestRedis;
  let env: QueueEnv;
  beforeAll(async () => {
    t = await testRedis("doctor-runtime");
    env = { redis: t.redis, keys: t.keys, clock: systemClock, queues: BUILTIN_QUEUES, retention: DEFAULT_RETENTION };
  });
  afterAll(async () => {
    await t.cleanup();
  });

  const run = (check: typeof workersCheck) =>
    runDoctor({ cwd: REPO_ROOT, env: { PATH: process.env.PATH }, hooks: "hooks.example.ts", redis: t.url, prefix: t.prefix, jobTags: t.keys.jobTags }, [hooksCheck, configCheck, redisCheck, check]).then((f) =>
      f.filter((x) => x.check === check.name),
    );

  it("names a queue with pending work and no worker, with the command that fixes it", async () => {
    await enqueueWith(env, "example_app.tasks.heartbeat", { queue: "long" });
    const [f] = await run(workersCheck);
    expect(f!.level).toBe("error");
    expect(f!.message).toContain('queue "long" has 1 pending job');
    expect(f!.fix).toContain("scheduler worker --queue long");
  });

  it("warns before any scheduler ran, errors once one ran and stopped, is ok with a leader", async () => {
    expect((await run(schedulerCheck))[0]!.level).toBe("warn");
    await t.redis.hset(t.keys.schedulerState(), "lastTick", String(Date.now() - 120_000));
    const [stopped] = await run(schedulerCheck);
    expect(stopped!.level).toBe("error");
    expect(stopped!.message).toMatch(/last tick 1\d\d s ago/);
    await t.redis.set(t.keys.schedulerLeader(), "host:1:abc", "PX", 10_000);
    const [led] = await run(schedulerCheck);
    expect(led!.level).toBe("ok");
    expect(led!.message).toContain("host:1:abc");
    await t.redis.hset(t.keys.schedulerState(), "paused", "1");
    const paused = await run(schedulerCheck);
    expect(paused.map((f) => f.message).join("\n")).toContain("paused");
  });

  it("reports a job running past its timeout, and failures of the last hour", async () => {
    const job = (await enqueueWith(env, "example_app.tasks.heartbeat", { queue: "short", timeout: 1 })) as { id: string };
    const taken = await dequeue(env, { queues: ["short"], worker: "w-doctor", leaseMs: 600_000 });
    expect(taken!.id).toBe(job.id);
    await t.redis.hset(t.keys.job(job.id, t.keys.jobTag("short")), "startedAt", String(Date.now() - 60_000));
    const [stuck] = await run(stuckJobsCheck);
    expect(stuck!.level).toBe("error");
    expect(stuck!.message).toContain(job.id);
    expect(stuck!.message).toContain("past its 1 s timeout");

    expect((await run(recentFailuresCheck))[0]!.level).toBe("ok");
    await failJob(env, { job: taken!, worker: "w-doctor", error: new Error("boom") });
    const [failed] = await run(recentFailuresCheck);
    expect(failed!.level).toBe("warn");
    expect(failed!.message).toContain("1 job(s) failed in the last hour (short: 1)");
  });
});
