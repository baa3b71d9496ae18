/**
 * `scheduler serve` (the HTTP side alone) and `scheduler metrics`, spawned from the built CLI
 * against this file's own prefix: figures from Redis, probes without workers or scheduler, a
 * taken port and a bad --http refused with one line.
 */
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type QueueEnv } from "../../src/queue/context.js";
import { DEFAULT_RETENTION } from "../../src/config/defaults.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import { systemClock } from "../../src/base/clock.js";
import { capture, runCli, spawnCli } from "../helpers/spawn.js";
import { testRedis, waitFor, type TestRedis } from "../helpers/redis.js";
import { freePort } from "../../src/base/free-port.js";
import { scrape, value } from "./helpers.js";

let t: TestRedis;
let env: QueueEnv;

beforeAll(async () => {
  t = await testRedis("http-serve");
  env = { redis: t.redis, keys: t.keys, clock: systemClock, queues: { default: { timeout: 30, workers: 1, concurrency: 1 } }, retention: DEFAULT_RETENTION };
});

afterAll(async () => {
  await t.cleanup();
});

const cliEnv = () => ({ REDIS_URL: t.url, SCHEDULER_PREFIX: t.prefix });

describe("scheduler serve / scheduler metrics", () => {
  it("serves /metrics and the probes from Redis alone; metrics --json reads it", async () => {
    await enqueueWith(env, "app.tasks.ok", { queue: "default" });
    await enqueueWith(env, "app.tasks.ok", { queue: "default" });
    const port = await freePort();
    const proc = spawnCli(["serve", "--http", `127.0.0.1:${port}`], { env: cliEnv() });
    const out = capture(proc);
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitFor(() => out.stdout().includes(`http      ${url}`), 20_000, 50);

      const fam = await scrape(url);
      expect(value(fam, "hs_jobs", { queue: "default", state: "queued" })).toBe(2);
      expect(value(fam, "hs_queue_oldest_job_age_seconds", { queue: "default" })).toBeGreaterThanOrEqual(0);
      expect(fam.find((f) => f.name === "hs_scheduler_leader")?.metrics ?? []).toEqual([]);
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ ready: true, redis: "up" });

      const r = await runCli(["metrics", "--json", "--url", url], { env: cliEnv() });
      expect(r.code).toBe(0);
      const families = JSON.parse(r.stdout) as Array<{ name: string; values: Array<{ labels: Record<string, string>; value: number }> }>;
      const jobs = families.find((f) => f.name === "hs_jobs")!;
      expect(jobs.values.find((v) => v.labels.queue === "default" && v.labels.state === "queued")!.value).toBe(2);

      // no daemon at --url: the Redis figures, and a line saying what is missing
      const alone = await runCli(["metrics", "--url", `http://127.0.0.1:${await freePort()}`], { env: cliEnv() });
      expect(alone.code).toBe(0);
      expect(alone.stdout).toContain('hs_jobs{queue="default",state="queued"} 2');
      expect(alone.stderr).toContain("no daemon answered");
    } finally {
      proc.kill("SIGTERM");
      await out.closed;
    }
  }, 60_000);

  it("a taken port fails serve with one line naming it; a bad --http is a usage error", async () => {
    const port = await freePort();
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(port, "127.0.0.1", r));
    try {
      const r = await runCli(["serve", "--http", `127.0.0.1:${port}`], { env: cliEnv() });
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toContain(`127.0.0.1:${port} is already in use`);
    } finally {
      blocker.close();
    }
    const bad = await runCli(["serve", "--http", "localhost"], { env: cliEnv() });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--http: "localhost" is not HOST:PORT');
    const badEnv = await runCli(["serve"], { env: { ...cliEnv(), SCHEDULER_HTTP: "localhost" } });
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toContain('SCHEDULER_HTTP: "localhost" is not HOST:PORT');
    expect(badEnv.stderr.trim().split("\n")).toHaveLength(1);
  }, 60_000);

  it("SCHEDULER_HTTP sets the address under --http; port 0 binds a free one", async () => {
    const port = await freePort();
    const proc = spawnCli(["serve"], { env: { ...cliEnv(), SCHEDULER_HTTP: `127.0.0.1:${port}` } });
    const out = capture(proc);
    try {
      await waitFor(() => out.stdout().includes(`http      http://127.0.0.1:${port}`), 20_000, 50);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      proc.kill("SIGTERM");
      await out.closed;
    }
    // the test helpers' own default (SCHEDULER_HTTP=127.0.0.1:0): any free port, never 7070
    const any = spawnCli(["serve"], { env: cliEnv() });
    const anyOut = capture(any);
    try {
      const line = await waitFor(() => /http {6}http:\/\/127\.0\.0\.1:(\d+)/.exec(anyOut.stdout()), 20_000, 50);
      expect(Number(line![1])).toBeGreaterThan(0);
      expect(Number(line![1])).not.toBe(7070);
    } finally {
      any.kill("SIGTERM");
      await anyOut.closed;
    }
    // an explicit flag wins over the variable
    const flag = await runCli(["serve", "--http", "localhost"], { env: { ...cliEnv(), SCHEDULER_HTTP: "127.0.0.1:0" } });
    expect(flag.stderr).toContain('--http: "localhost"');
  }, 60_000);
});
