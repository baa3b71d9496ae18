/**
 * Dequeueing the next job with the completion (run-job.ts DequeueNext, job-loop.ts dequeueOptions): the
 * dequeue loop in-process against real Redis, with the real runJob and a tiny task registry.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { enqueueManyWith } from "../../src/queue/enqueue-many.js";
import type { DequeueOptions } from "../../src/queue/lifecycle.js";
import type { Job } from "../../src/queue/types.js";
import { JobLoop } from "../../src/worker/child/job-loop.js";
import { PulseJournal } from "../../src/worker/child/pulse-journal.js";
import { runJob, type DequeueNext } from "../../src/worker/child/run-job.js";
import { queueFixture, type QueueFixture } from "../queue/helpers.js";

let running = 0;
let peak = 0;
const ran: string[] = [];
async function work({ n }: { n: number }) {
  running++;
  peak = Math.max(peak, running);
  await new Promise((r) => setTimeout(r, n % 3));
  ran.push(String(n));
  running--;
}

let f: QueueFixture;
beforeAll(async () => {
  f = await queueFixture("dequeue-next", { "app.tasks.work": work as (k: Record<string, unknown>) => unknown });
});
beforeEach(() => {
  running = 0;
  peak = 0;
  ran.length = 0;
  delete f.env.queues.default!.rateLimit;
});
afterAll(() => f.t.cleanup());

/** A burst loop over `default`; records the take answers (asked as each task ends) and the takes. */
function loop(concurrency: number) {
  const offered: Array<DequeueOptions | undefined> = [];
  let taken = 0;
  const shutdown = new AbortController();
  const l = new JobLoop({
    env: f.env,
    blocking: f.env.redis,
    worker: "w-take",
    queues: ["default"],
    strategy: "priority",
    concurrency,
    leaseMs: 60_000,
    blockSeconds: 1,
    burst: true,
    onError: (err) => {
      throw err;
    },
    runJob: async (job: Job, take?: () => DequeueOptions | undefined) => {
      const t: DequeueNext | undefined = take ? { options: () => (offered.push(take()), offered[offered.length - 1]) } : undefined;
      await runJob(
        {
          env: f.env,
          tasks: f.env.tasks!,
          worker: "w-take",
          journal: new PulseJournal(),
          onLoadError: (_m, err) => {
            throw err;
          },
          onRecordError: (_j, err) => {
            throw err;
          },
          shutdownSignal: shutdown.signal,
        },
        job,
        t,
      );
      if (t?.next) taken++;
      return t?.next ?? null;
    },
  });
  return { l, offered, taken: () => taken };
}

const fill = (n: number) => enqueueManyWith(f.env, Array.from({ length: n }, (_, i) => ({ method: "app.tasks.work", options: { n: i } })));

describe("take next with the completion", () => {
  it("drains a backlog taking jobs with completions, each job once, never past the concurrency", async () => {
    await fill(60);
    const { l, taken } = loop(3);
    expect(await l.run()).toBe("drained");
    expect(ran.sort()).toEqual(Array.from({ length: 60 }, (_, i) => String(i)).sort());
    expect(peak).toBeLessThanOrEqual(3);
    expect(taken()).toBeGreaterThan(30);
    expect(await f.env.redis.zcard(f.env.keys.finished("default"))).toBe(60);
    expect(await f.env.redis.zcard(f.env.keys.started("default"))).toBe(0);
  });

  it("never takes past a rate limit: the gate hands out slots before each dequeue", async () => {
    f.env.queues.default!.rateLimit = { max: 10_000, per: 1 };
    await fill(10);
    const { l, offered, taken } = loop(2);
    expect(await l.run()).toBe("drained");
    expect(ran).toHaveLength(10);
    expect(offered.every((t) => t === undefined)).toBe(true);
    expect(taken()).toBe(0);
  });

  it("stops taking once stopped, and runs every job it had already leased", async () => {
    await fill(40);
    const { l, offered } = loop(2);
    const done = l.run();
    while (ran.length < 5) await new Promise((r) => setTimeout(r, 1));
    l.stop();
    const offeredAtStop = offered.length;
    expect(await done).toBe("stopped");
    // Asked once each task ended: every answer after stop() is "do not take".
    expect(offered.length).toBeGreaterThan(offeredAtStop);
    expect(offered.slice(offeredAtStop).every((t) => t === undefined)).toBe(true);
    const queued = await f.env.redis.llen(f.env.keys.queue("default"));
    expect(await f.env.redis.zcard(f.env.keys.started("default"))).toBe(0);
    expect(ran.length + queued).toBe(40);
  });
});
