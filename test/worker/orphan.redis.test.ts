/**
 * A child whose event loop is blocked cannot see its IPC channel close: when its supervisor is
 * killed with kill -9, the child's watchdog thread (orphan-watchdog.ts) must end it, or it spins
 * on forever as an orphan.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testRedis, waitFor, type TestRedis } from "../helpers/redis.js";
import { enqueueMany, fixture, queueEnv, spawnWorker } from "./helpers.js";
import { type Watched, stoppedAfterEach } from "../helpers/spawn.js";

let t: TestRedis;
/** Killed (and awaited) after each test: a failing test leaves no process behind. */
const workers = stoppedAfterEach();
let orphan: number | undefined;

beforeAll(async () => {
  t = await testRedis("worker-orphan");
});
afterAll(async () => {
  // Never leave a spinning process behind, whatever the test found.
  if (orphan !== undefined && alive(orphan)) process.kill(orphan, "SIGKILL");
  await t.cleanup();
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("orphaned child", () => {
  it("a child spinning in a task ends within seconds of its supervisor's kill -9", async () => {
    const record = `${t.keys.root}:test:orphan`;
    // default queue: a 30 s timeout, so no hard timeout ends the spin during the test.
    const [spin] = await enqueueMany(queueEnv(t), 1, "app.tasks.spin", { queue: "default", record });
    const w = spawnWorker(t, fixture("app"), ["--queue", "default"]);
    workers.push(w);
    const entry = await waitFor(async () => (await t.redis.lrange(record, 0, -1)).find((r) => r.startsWith(`spin:${spin}:`)), 20_000);
    orphan = Number(entry!.split(":")[2]);
    expect(alive(orphan)).toBe(true);
    const killedAt = Date.now();
    w.proc.kill("SIGKILL");
    await waitFor(() => !alive(orphan!), 10_000);
    expect(Date.now() - killedAt).toBeLessThan(5000);
  });
});
