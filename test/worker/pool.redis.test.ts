/**
 * The pool end to end: real `scheduler worker` processes, their child processes, real Redis.
 * 500 jobs over two queues and two worker processes: each runs exactly once, every one ends in
 * `finished`, and burst mode exits 0 once drained.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testRedis, waitFor, type TestRedis } from "../helpers/redis.js";
import { census, enqueueMany, getJob, fixture, idsIn, queueEnv, spawnWorker } from "./helpers.js";
import { listWorkers } from "../../src/worker/supervisor/worker-records.js";
import { exitOf, stoppedAfterEach } from "../helpers/spawn.js";

let t: TestRedis;
/** Killed (and awaited) after each test: a failing test leaves no process behind. */
const workers = stoppedAfterEach();

beforeAll(async () => {
  t = await testRedis("worker-pool");
});
afterAll(async () => {
  await t.cleanup();
});

describe("scheduler worker --burst", () => {
  it("runs 500 jobs across 2 queues and 2 worker processes, each exactly once", async () => {
    const env = queueEnv(t);
    const record = `${t.keys.root}:test:runs`;
    // Every job waits for the gate, opened once both workers have registered: a worker that
    // started first cannot drain all 500 before the other one is up (a loaded machine).
    const gate = `${t.keys.root}:test:gate`;
    const ids = [
      ...(await enqueueMany(env, 250, "app.tasks.mark", { queue: "short", record, ms: 5, gate })),
      ...(await enqueueMany(env, 250, "app.tasks.mark", { queue: "default", record, ms: 5, gate })),
    ];
    const hooks = fixture("app");
    workers.push(spawnWorker(t, hooks, ["--queue", "short,default", "--burst", "--concurrency", "4"]));
    workers.push(spawnWorker(t, hooks, ["--queue", "default,short", "--burst", "--concurrency", "4", "--strategy", "round_robin"]));

    // Both workers register their children while they work.
    const registered = new Set<number>();
    const exits = Promise.all(workers.map((w) => exitOf(w, 25_000)));
    const poll = setInterval(() => {
      void listWorkers(env, 6000).then((ws) => ws.forEach((w) => registered.add(w.supervisorPid)), () => {});
    }, 50);
    await waitFor(() => registered.size === 2, 20_000).finally(() => t.redis.set(gate, "1"));
    const results = await exits.finally(() => clearInterval(poll));

    expect(results.map((r) => r.code)).toEqual([0, 0]);
    const runs = await t.redis.lrange(record, 0, -1);
    expect(runs).toHaveLength(500);
    expect(new Set(runs)).toEqual(new Set(ids));

    const where = await census(t, ["short", "default"]);
    expect(where.size).toBe(500);
    for (const id of ids) expect(where.get(id)).toHaveLength(1);
    expect(idsIn(where, "finished:short")).toHaveLength(250);
    expect(idsIn(where, "finished:default")).toHaveLength(250);

    // Both processes took part (job.worker is "<host>.<worker pid>.<run>.<n>"), each registered
    // its child while working and removed it on the way out.
    const pids = workers.map((w) => w.proc.pid!);
    const ranBy = new Set<number>();
    for (const id of ids) ranBy.add(Number((await getJob(t, id)).worker?.split(".").at(-3)));
    expect([...ranBy].sort()).toEqual([...pids].sort());
    expect([...registered].sort()).toEqual([...pids].sort());
    const drained = workers.map((w) => w.lines.some((l) => l.msg === "queues drained"));
    expect(drained).toEqual([true, true]);
    expect(await listWorkers(env, 60_000)).toEqual([]);
  }, 30_000);

  it("gives tasks their job context in the child: currentJob(), publishProgress(), kwargs", async () => {
    const env = queueEnv(t);
    const record = `${t.keys.root}:test:progress`;
    const [id] = await enqueueMany(env, 1, "app.tasks.progress", { queue: "default", record });
    const w = spawnWorker(t, fixture("app"), ["--queue", "default", "--burst"]);
    workers.push(w);
    expect((await exitOf(w)).code).toBe(0);
    const job = await getJob(t, id!);
    expect(job.status).toBe("finished");
    expect(job.result).toBe(true);
    expect(job.progress).toMatchObject({ percent: 50, title: "half" });
    expect(await t.redis.lrange(record, 0, -1)).toEqual(["progress:true"]);
  });

  it("rejects an unknown queue with one line naming it, exit 2 (a usage error)", async () => {
    const w = spawnWorker(t, fixture("app"), ["--queue", "short,nope", "--burst"]);
    workers.push(w);
    const { code } = await exitOf(w);
    expect(code).toBe(2);
    expect(w.output()).toMatch(/--queue: unknown queue "nope".*known queues: short, default, long/);
  });
});
