/**
 * A whole worker gone at once (supervisor and child SIGKILLed, as when its host dies): nobody is
 * left to requeue its job at once, so its lease lapses and another worker's reaper requeues it,
 * within 10 s. Nothing is lost: every job id is in exactly one registry before and after.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testRedis, waitFor, type TestRedis } from "../helpers/redis.js";
import { census, childRunning, enqueueMany, fixture, getJob, queueEnv, spawnWorker } from "./helpers.js";
import { listWorkers } from "../../src/worker/supervisor/worker-records.js";
import { exitOf, stoppedAfterEach } from "../helpers/spawn.js";

let t: TestRedis;
/** Killed (and awaited) after each test: a failing test leaves no process behind. */
const workers = stoppedAfterEach();

beforeAll(async () => {
  t = await testRedis("worker-host-gone");
});
afterAll(async () => {
  await t.cleanup();
});


describe("host gone", () => {
  it("a whole worker killed (host gone): another worker requeues its job within 10 s; nothing lost", async () => {
    const env = queueEnv(t);
    const record = `${t.keys.root}:test:host-gone`;
    const a = spawnWorker(t, fixture("app"), ["--queue", "default"]);
    const b = spawnWorker(t, fixture("app"), ["--queue", "default"]);
    workers.push(a, b);
    await Promise.all([a.waitForLog("worker up"), b.waitForLog("worker up")]);

    const [slow] = await enqueueMany(env, 1, "app.tasks.sleep", { queue: "default", record, ms: 2000 });
    const quick = await enqueueMany(env, 20, "app.tasks.mark", { queue: "default", record });
    const all = [slow!, ...quick];
    const childPid = await childRunning(t, record, slow!);
    const entry = (await listWorkers(env, 10_000)).find((x) => x.pid === childPid)!;
    expect(entry).toBeDefined();
    const victim = entry.supervisorPid === a.proc.pid ? a : b;
    const survivor = victim === a ? b : a;

    const before = await census(t, ["default"]);
    for (const id of all) expect(before.get(id)).toHaveLength(1);

    const killedAt = Date.now();
    process.kill(childPid, "SIGKILL");
    victim.proc.kill("SIGKILL");
    // Requeued by the survivor's reaper once the lease (6 s) lapsed: within 10 s of the kill.
    await waitFor(async () => (await getJob(t, slow!)).stalls === 1, 12_000);
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    await waitFor(async () => (await getJob(t, slow!)).status === "finished", 15_000);

    await waitFor(async () => {
      const where = await census(t, ["default"]);
      return all.every((id) => where.get(id)?.length === 1 && where.get(id)![0] === "finished:default");
    }, 10_000);
    // The dead worker's registry entry expired; the survivor's is there.
    await waitFor(async () => (await listWorkers(env, 6000)).every((x) => x.supervisorPid === survivor.proc.pid), 10_000);

    survivor.proc.kill("SIGTERM");
    expect((await exitOf(survivor)).code).toBe(0);
  }, 60_000);
});
