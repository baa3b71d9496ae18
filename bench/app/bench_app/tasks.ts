// Tasks of the bench app: the same three bodies run under BullMQ (bench/systems/bullmq-worker.mjs)
// and RQ (bench/systems/rq_tasks.py).
import { Redis } from "ioredis";

let redis: Redis | undefined;

/** Nothing: measures the queue and worker overhead alone. */
export async function noop(): Promise<void> {}

/** A 5 ms async wait (an I/O-bound task). */
export async function sleep5(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 5));
}

/**
 * First thing: how long since the enqueuer read its clock (t0, epoch ms with µs digits), pushed
 * to the list `key` for the bench to read.
 */
export async function stamp({ key, t0 }: { key: string; t0: number }): Promise<void> {
  const dt = performance.timeOrigin + performance.now() - t0;
  redis ??= new Redis(process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/10");
  await redis.rpush(key, String(dt));
}

/** The failover bench's per-second task (bench/leader-gap.mjs): HINCRBY `key` <its slot ms>. */
export async function slot({ key }: { key: string }): Promise<void> {
  const { currentJob } = await import("hooks-scheduler");
  redis ??= new Redis(process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/10");
  await redis.hincrby(key, String(currentJob()!.scheduledFor), 1);
}
