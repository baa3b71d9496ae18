/** The security fixture app (test/security/fixtures/app) run by a real worker process. */
import { fileURLToPath } from "node:url";
import { decodeJob } from "../../src/queue/job-codec.js";
import type { Job } from "../../src/queue/types.js";
import { spawnScheduler } from "../reliability/helpers/procs.js";
import { type Watched } from "../helpers/spawn.js";
import type { TestRedis } from "../helpers/redis.js";
import { jobHash } from "../helpers/job-reads.js";

export const SECURITY_HOOKS = fileURLToPath(new URL("./fixtures/app/hooks.ts", import.meta.url));
export const SECURITY_QUEUES = {
  default: { timeout: 30, workers: 1, concurrency: 1 },
  other: { timeout: 30, workers: 1, concurrency: 1 },
  month: { timeout: 2_592_000, workers: 1, concurrency: 1 },
};

/** `scheduler worker` on the fixture, its tasks recording to the test's Redis. */
export function securityWorker(t: TestRedis, env: NodeJS.ProcessEnv = {}, queues = "default,other", args: string[] = []): Watched {
  return spawnScheduler("worker", SECURITY_HOOKS, t.url, t.prefix, ["--queue", queues, ...args], { env: { SECURITY_REDIS_URL: t.url, ...env } });
}

/**
 * The job as stored: on its queue's job tag when the caller knows the queue (a forged hash whose
 * queue field is damaged or missing is still read there), else wherever a known queue's tag holds it.
 */
export async function readJob(t: TestRedis, id: string, queue?: string): Promise<Job> {
  const hash = queue === undefined ? await jobHash(t, id) : await t.redis.hgetall(t.keys.job(id, t.keys.jobTag(queue)));
  return decodeJob(hash, id);
}
