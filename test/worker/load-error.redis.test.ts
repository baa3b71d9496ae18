/**
 * A task module that throws while loading (fixtures/broken-app/app/broken.ts): the supervisor
 * reports it once (module + error), its jobs fail with that error, the other tasks run, and no
 * child crash-loops over it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testRedis, type TestRedis } from "../helpers/redis.js";
import { enqueueMany, events, fixture, getJob, queueEnv, spawnWorker } from "./helpers.js";
import { exitOf, type Watched, stoppedAfterEach } from "../helpers/spawn.js";

let t: TestRedis;
/** Killed (and awaited) after each test: a failing test leaves no process behind. */
const workers = stoppedAfterEach();

beforeAll(async () => {
  t = await testRedis("worker-load-error");
});
afterAll(async () => {
  await t.cleanup();
});

describe("a task module that throws while loading", () => {
  it("is reported once, fails its own jobs with the load error, and leaves the rest running", async () => {
    const env = queueEnv(t, { default: { timeout: 10, workers: 1, concurrency: 1 } });
    const record = `${t.keys.root}:test:runs`;
    const broken = await enqueueMany(env, 3, "app.broken.never_runs", { queue: "default" });
    const good = await enqueueMany(env, 3, "app.tasks.mark", { queue: "default", record });
    const w = spawnWorker(t, fixture("broken-app"), ["--queue", "default", "--burst", "--processes", "2"]);
    workers.push(w);
    expect((await exitOf(w, 20_000)).code).toBe(0);

    // The supervisor's report (it names the module), not the job lines of the jobs it failed.
    const reports = w.lines.filter((l) => typeof l.msg === "string" && l.msg.includes("failed to load") && l.module !== undefined);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.module).toBe("app.broken");
    expect(String(reports[0]!.error)).toContain("broken module: cannot initialise (fixture)");

    for (const id of broken) {
      const job = await getJob(t, id);
      expect(job.status).toBe("failed");
      expect(job.error?.message).toMatch(/app\.broken\.never_runs.*failed to load.*broken module: cannot initialise/);
    }
    for (const id of good) expect((await getJob(t, id)).status).toBe("finished");
    expect((await t.redis.lrange(record, 0, -1)).sort()).toEqual([...good].sort());

    const ev = await events(t);
    expect(ev.filter((e) => e.type === "task.load_failed")).toHaveLength(1);
    expect(ev.filter((e) => e.type === "child.restarted" || e.type === "child.unstable")).toEqual([]);
    expect(w.lines.filter((l) => l.msg === "worker up")).toHaveLength(2);
  });
});
