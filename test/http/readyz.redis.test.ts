/**
 * /healthz and /readyz of a real daemon on a Redis of this test's own (a free port): ready once
 * its workers are up, 503 with the reason while that Redis is down (the process stays alive:
 * /healthz 200), ready again once Redis is back.
 */
import { describe, expect, it } from "vitest";
import { redisServer, type RedisServer } from "../reliability/helpers/redis-server.js";
import { testRedis, waitFor } from "../helpers/redis.js";
import { freePort } from "../../src/base/free-port.js";
import { startDaemon, type Daemon } from "./helpers.js";

async function probe(url: string): Promise<{ status: number; body: { ready?: boolean; reasons?: string[]; redis?: string; scheduler?: string; workers?: { up: number; total: number } } }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as never };
}

// The two cases are independent (their own Redis server or prefix, their own daemon, each
// stopped in its own finally): side by side, one's start-up overlaps the other's waits.
describe.concurrent("/readyz", () => {
  it("goes 503 with the reason when Redis stops and 200 when it is back", async () => {
    const server: RedisServer = await redisServer();
    let daemon: Daemon | undefined;
    try {
      await server.start();
      daemon = await startDaemon([], { REDIS_URL: server.url, SCHEDULER_PREFIX: "readyz" });
      const ready = await waitFor(async () => {
        const r = await probe(`${daemon!.url}/readyz`);
        return r.status === 200 ? r : undefined;
      }, 20_000, 100);
      expect(ready!.body).toMatchObject({ ready: true, reasons: [], redis: "up", scheduler: "leader" });
      expect(ready!.body.workers!.up).toBe(ready!.body.workers!.total);

      await server.kill("SIGKILL");
      const down = await waitFor(async () => {
        const r = await probe(`${daemon!.url}/readyz`);
        return r.status === 503 ? r : undefined;
      }, 10_000, 100);
      expect(down!.body.ready).toBe(false);
      expect(down!.body.redis).toBe("down");
      expect(down!.body.reasons!.some((r) => r.startsWith("redis: "))).toBe(true);
      expect((await probe(`${daemon.url}/healthz`)).status).toBe(200);

      await server.start();
      const back = await waitFor(async () => {
        const r = await probe(`${daemon!.url}/readyz`);
        return r.status === 200 ? r : undefined;
      }, 20_000, 100);
      expect(back!.body).toMatchObject({ ready: true, redis: "up" });
    } finally {
      await daemon?.stop();
      await server.stop();
    }
  }, 60_000);

  it("a port already taken is a warning naming it, and the daemon runs on", async () => {
    const port = await freePort();
    const { createServer } = await import("node:net");
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(port, "127.0.0.1", r));
    // Its own prefix, deleted afterwards: the daemon writes its state to the shared test Redis.
    const t = await testRedis("port-taken");
    try {
      const { spawnCli, capture } = await import("../helpers/spawn.js");
      const { FIXTURE_HOOKS } = await import("./helpers.js");
      const proc = spawnCli(["start", "--hooks", FIXTURE_HOOKS, "--http", `127.0.0.1:${port}`], { env: { REDIS_URL: t.url, SCHEDULER_PREFIX: t.prefix } });
      const out = capture(proc);
      try {
        await waitFor(() => (out.stdout() + out.stderr()).includes(`127.0.0.1:${port} is already in use`), 20_000, 50);
        await waitFor(() => (out.stdout() + out.stderr()).includes("worker up"), 20_000, 50);
        expect(proc.exitCode).toBeNull();
      } finally {
        proc.kill("SIGTERM");
        await out.closed;
      }
    } finally {
      blocker.close();
      await t.cleanup();
    }
  }, 60_000);
});
