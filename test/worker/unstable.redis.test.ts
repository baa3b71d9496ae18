/**
 * The crash-loop guard, with the supervisor in this process and real children: every child of
 * fixtures/exit-app dies while loading its task module, so the group is restarted with backoff
 * a bounded number of times, then given up loudly, and `done` resolves non-zero because
 * nothing is left running.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testRedis, type TestRedis } from "../helpers/redis.js";
import { events, fixture } from "./helpers.js";
import { REPO_ROOT } from "../helpers/spawn.js";
import { loadHooks } from "../../src/hooks/load.js";
import { resolveConfig } from "../../src/settings/resolve.js";
import { startSupervisor } from "../../src/worker/supervisor/supervisor.js";
import { pathToFileURL } from "node:url";

let t: TestRedis;

beforeAll(async () => {
  t = await testRedis("worker-unstable");
});
afterAll(async () => {
  await t.cleanup();
});

describe("a group whose children die at start-up", () => {
  it("is restarted maxUnstable times with backoff, then given up with exit code 1", async () => {
    const hooks = await loadHooks({ hooksPath: fixture("exit-app") });
    const config = { ...resolveConfig({ hooks, env: {} }), prefix: t.prefix };
    const logged: Array<{ level: string; obj: unknown; msg?: string }> = [];
    const capture = (level: string) => (obj: object | string, msg?: string) => logged.push({ level, obj, msg: typeof obj === "string" ? obj : msg });
    const startedAt = Date.now();
    const sup = await startSupervisor({
      config,
      redisUrl: t.url,
      groups: [{ name: "default", queues: ["default"], processes: 1, concurrency: 1, strategy: "priority" }],
      preload: ["app.tasks.noop"],
      restartPolicy: { maxUnstable: 3, baseDelayMs: 50, maxDelayMs: 200 },
      logger: { debug: capture("debug"), info: capture("info"), warn: capture("warn"), error: capture("error") },
      childModule: pathToFileURL(`${REPO_ROOT}dist/worker/child/main.js`),
    });
    const code = await Promise.race([sup.done, new Promise((r) => setTimeout(() => r("timeout"), 25_000))]);
    expect(code).toBe(1);
    expect(Date.now() - startedAt).toBeLessThan(25_000);

    const deaths = logged.filter((l) => l.level === "error" && l.msg?.startsWith("worker died unexpectedly (code 9)"));
    expect(deaths).toHaveLength(4); // the first child and 3 restarts
    const gaveUp = logged.filter((l) => l.msg?.includes("not restarting it"));
    expect(gaveUp).toHaveLength(1);
    expect(gaveUp[0]!.level).toBe("error");
    const ev = await events(t);
    expect(ev.filter((e) => e.type === "child.restarted").map((e) => e.data?.delayMs)).toEqual([50, 100, 200]);
    expect(ev.filter((e) => e.type === "child.unstable")).toHaveLength(1);
    expect(sup.liveSlots()).toEqual([]);
  }, 30_000);
});
