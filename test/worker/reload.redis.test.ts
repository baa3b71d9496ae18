/**
 * Supervisor.reload() (hooks reload in `scheduler start`): every slot gets a fresh child at once,
 * the old child finishes its running job (not requeued, not failed) and exits, and later jobs run
 * in the new child. In-process supervisor, real children, real Redis.
 */
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testRedis, waitFor, type TestRedis } from "../helpers/redis.js";
import { attempts, enqueueMany, events, fixture, getJob, queueEnv } from "./helpers.js";
import { REPO_ROOT } from "../helpers/spawn.js";
import { loadHooks } from "../../src/hooks/load.js";
import { resolveConfig } from "../../src/settings/resolve.js";
import { startSupervisor, type Supervisor } from "../../src/worker/supervisor/supervisor.js";
import { silentLogger } from "../../src/worker/log.js";
import { listWorkers } from "../../src/worker/supervisor/worker-records.js";

let t: TestRedis;
let sup: Supervisor | undefined;

beforeAll(async () => {
  t = await testRedis("worker-reload");
});
afterAll(async () => {
  sup?.force("test over");
  await t.cleanup();
});

describe("Supervisor.reload", () => {
  it("replaces every child; the old one finishes its running job first", async () => {
    process.env.WORKER_TEST_REDIS_URL = t.url;
    const hooks = await loadHooks({ hooksPath: fixture("app") });
    const config = { ...resolveConfig({ hooks, env: {} }), prefix: t.prefix };
    sup = await startSupervisor({
      config,
      redisUrl: t.url,
      groups: [{ name: "default", queues: ["default"], processes: 1, concurrency: 2, strategy: "priority" }],
      logger: silentLogger,
      childModule: pathToFileURL(`${REPO_ROOT}dist/worker/child/main.js`),
    });
    const env = queueEnv(t);
    const record = `${t.keys.root}:test:reload`;
    const [slow] = await enqueueMany(env, 1, "app.tasks.sleep", { queue: "default", record, ms: 1500 });
    const runs = () => t.redis.lrange(record, 0, -1);
    const started = await waitFor(async () => (await runs()).find((r) => r.startsWith(`start:${slow}:`)), 20_000);
    const oldPid = started!.split(":")[2];

    sup.reload({ config: { ...config, queues: { ...config.queues, default: { ...config.queues.default!, timeout: 20 } } } });
    expect(sup.liveSlots()).toHaveLength(2); // the new child and the retiring one
    await waitFor(async () => (await listWorkers(env, 6000)).some((w) => w.state === "idle" && String(w.pid) !== oldPid), 20_000);
    const [next] = await enqueueMany(env, 1, "app.tasks.sleep", { queue: "default", record, ms: 10 });

    await waitFor(async () => (await getJob(t, slow!)).status === "finished" && (await getJob(t, next!)).status === "finished", 20_000);
    expect((await attempts(t, slow!)).map((a) => a.outcome)).toEqual(["finished"]);
    const nextPid = (await runs()).find((r) => r.startsWith(`start:${next}:`))!.split(":")[2];
    expect(nextPid).not.toBe(oldPid);
    await waitFor(() => sup!.liveSlots().length === 1, 10_000);

    sup.stop();
    expect(await sup.done).toBe(0);
    // done waits for the supervisor's own events: both children's worker.down are written.
    expect((await events(t)).filter((e) => e.type === "worker.down")).toHaveLength(2);
  }, 40_000);
});
