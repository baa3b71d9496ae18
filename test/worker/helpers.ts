/**
 * Helpers for the worker process tests: start the real CLI (`scheduler worker`, through
 * test/helpers/spawn.ts), enqueue through the real queue, and census every registry so a test
 * can prove that no job was lost or duplicated.
 */
import { getJobAttempts } from "../../src/queue/registry.js";
import { fileURLToPath } from "node:url";
import type { TestRedis } from "../helpers/redis.js";
import { waitFor } from "../helpers/redis.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import type { QueueEnv } from "../../src/queue/context.js";
import type { Job } from "../../src/queue/types.js";
import { decodeJob } from "../../src/queue/job-codec.js";
import { systemClock } from "../../src/base/clock.js";
import { startCli, type Watched } from "../helpers/spawn.js";
import { allEvents, jobHash } from "../helpers/job-reads.js";

export const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}/hooks.ts`, import.meta.url));

/** Queue settings of fixtures/app/hooks.ts (the env used to enqueue must agree). */
export const FIXTURE_QUEUES = {
  short: { timeout: 1, workers: 1, concurrency: 1 },
  default: { timeout: 30, workers: 1, concurrency: 1 },
  long: { timeout: 60, workers: 1, concurrency: 1 },
};

export function queueEnv(t: TestRedis, queues: QueueEnv["queues"] = FIXTURE_QUEUES): QueueEnv {
  return { redis: t.redis, keys: t.keys, clock: systemClock, queues, retention: { finished: 600, failed: 600 } };
}

export async function enqueueMany(env: QueueEnv, n: number, method: string, options: Record<string, unknown> = {}): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(((await enqueueWith(env, method, { ...options })) as Job).id);
  return ids;
}

/** `scheduler worker` on `hooks`, against the test's Redis and prefix, watched. */
export function spawnWorker(t: TestRedis, hooks: string, args: string[], options: { detached?: boolean } = {}): Watched {
  return startCli(["worker", "--hooks", hooks, "--redis", t.url, "--prefix", t.prefix, ...args], {
    detached: options.detached,
    env: { WORKER_TEST_REDIS_URL: t.url, SCHEDULER_LOG_LEVEL: "info" },
  });
}

/** Where every job id is (see test/helpers/census.ts; kept here for the worker tests' imports). */
export { census } from "../helpers/census.js";

export async function getJob(t: TestRedis, id: string): Promise<Job> {
  return decodeJob(await jobHash(t, id), id);
}

/** Job ids in `place` (e.g. "finished:default") according to a census. */
export function idsIn(where: Map<string, string[]>, place: string): string[] {
  return [...where].filter(([, places]) => places.includes(place)).map(([id]) => id);
}

export function killQuietly(w: Watched | undefined): void {
  if (w && w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill("SIGKILL");
}

/** Every event in the stream (oldest first). */
export async function events(t: TestRedis): Promise<Array<{ type: string; msg: string; jobId?: string; worker?: string; data?: Record<string, unknown> }>> {
  return allEvents(t);
}

export async function attempts(t: TestRedis, id: string): Promise<Array<{ outcome: string; worker: string; error?: { message: string }; reason?: string }>> {
  return getJobAttempts(id, queueEnv(t));
}

/** pid of the child that recorded `start:<id>:<pid>` in the `record` list, once it has. */
export async function childRunning(t: TestRedis, record: string, id: string): Promise<number> {
  const entry = await waitFor(async () => (await t.redis.lrange(record, 0, -1)).find((r) => r.startsWith(`start:${id}:`)), 20_000);
  return Number(entry!.split(":")[2]);
}
