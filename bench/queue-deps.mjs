// Dependency, status-record and retention figures: what one script call costs when a job with
// many dependents finishes or fails, a cancel walk down a long chain, a cleanRegistries sweep,
// enqueue with dependsOn, and setStatus in a tight loop. Run after `npm run build`:
//   BENCH_REDIS_URL=redis://127.0.0.1:6379/8 node bench/queue-deps.mjs
import { Redis } from "ioredis";
import { createKeys } from "../dist/redis/keys.js";
import { BUILTIN_QUEUES, DEFAULT_RETENTION } from "../dist/config/defaults.js";
import { enqueueWith } from "../dist/queue/enqueue.js";
import { completeJob, dequeue, failJobDetailed } from "../dist/queue/lifecycle.js";
import { cleanRegistries } from "../dist/queue/registry.js";
import { runInJobContext, currentJob } from "../dist/runtime/job-context.js";
import { scriptStatusWriter } from "../dist/runtime/status-recorder.js";
import { preloadScripts } from "../dist/redis/scripts.js";

const url = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/8";
const N = Number(process.env.BENCH_DEPENDENTS ?? 1000);
const redis = new Redis(url);
let now = Date.now();
const clock = () => now;
let run = 0;
const freshEnv = () => ({ redis, keys: createKeys(`bench-deps-${process.pid}-${run++}`), clock, queues: BUILTIN_QUEUES, retention: DEFAULT_RETENTION });
await preloadScripts(redis, ["enqueue", "dequeue", "complete", "fail", "clean", "status"]);

async function drop(env) {
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", `${env.keys.root}:*`, "COUNT", 1000);
    cursor = next;
    if (batch.length) await redis.del(...batch);
  } while (cursor !== "0");
}
const ms = async (fn) => {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
};
const take = (env) => dequeue(env, { queues: ["default"], worker: "bench", leaseMs: 60_000 });
const out = [];

// 1. enqueue with and without dependsOn (sequential, one script each)
{
  const env = freshEnv();
  const root = await enqueueWith(env, "bench.tasks.noop", { jobId: "root" });
  const plain = await ms(async () => {
    for (let i = 0; i < N; i++) await enqueueWith(env, "bench.tasks.noop", { i });
  });
  const deps = await ms(async () => {
    for (let i = 0; i < N; i++) await enqueueWith(env, "bench.tasks.noop", { i, dependsOn: root });
  });
  out.push(`enqueue: ${(plain.ms / N).toFixed(3)} ms each plain, ${(deps.ms / N).toFixed(3)} ms each with dependsOn (deferred), ${N} each`);

  // 2. the root finishes: one complete.lua moves all N dependents to the queue
  await redis.del(env.keys.queue("default"), env.keys.wake("default"));
  await redis.lpush(env.keys.queue("default"), "root");
  const job = await take(env);
  const done = await ms(() => completeJob(env, { job, worker: "bench", result: null }));
  const queued = await redis.llen(env.keys.queue("default"));
  out.push(`complete with ${N} dependents (fan-out release): ${done.ms.toFixed(1)} ms in one script; ${queued} now queued`);
  await drop(env);
}

// 3. the root fails: one fail.lua cancels all N dependents
{
  const env = freshEnv();
  await enqueueWith(env, "bench.tasks.noop", { jobId: "root" });
  for (let i = 0; i < N; i++) await enqueueWith(env, "bench.tasks.noop", { i, dependsOn: "root" });
  const job = await take(env);
  const failed = await ms(() => failJobDetailed(env, { job, worker: "bench", error: new Error("x") }));
  out.push(`final failure with ${N} dependents (fan-out cancel): ${failed.ms.toFixed(1)} ms; ${failed.value.failure.canceledDependents.length} canceled`);
  await drop(env);
}

// 4. a chain of N (each depends on the one before): the root fails, the walk cancels down it
{
  const env = freshEnv();
  await enqueueWith(env, "bench.tasks.noop", { jobId: "c0" });
  for (let i = 1; i <= N; i++) await enqueueWith(env, "bench.tasks.noop", { jobId: `c${i}`, dependsOn: `c${i - 1}` });
  const job = await take(env);
  const failed = await ms(() => failJobDetailed(env, { job, worker: "bench", error: new Error("x") }));
  out.push(`final failure at the root of a chain of ${N}: ${failed.ms.toFixed(1)} ms; ${failed.value.failure.canceledDependents.length} canceled transitively`);
  await drop(env);
}

// 5. cleanRegistries: N expired finished jobs, and N deferred jobs to look at
{
  const env = freshEnv();
  for (let i = 0; i < N; i++) {
    await enqueueWith(env, "bench.tasks.noop", { jobId: `f${i}` });
    const job = await take(env);
    await completeJob(env, { job, worker: "bench", result: null });
  }
  await enqueueWith(env, "bench.tasks.noop", { jobId: "root", delay: 3600 });
  for (let i = 0; i < N; i++) await enqueueWith(env, "bench.tasks.noop", { i, dependsOn: "root" });
  const idle = await ms(() => cleanRegistries(env, { limit: N }));
  now += DEFAULT_RETENTION.finished * 1000 + 1;
  const sweep = await ms(() => cleanRegistries(env, { limit: N }));
  now = Date.now();
  out.push(`cleanRegistries(limit ${N}): ${idle.ms.toFixed(1)} ms with nothing expired and ${N} deferred to check; ${sweep.ms.toFixed(1)} ms removing ${sweep.value} expired jobs (+ the same deferred check)`);
  await drop(env);
}

// 6. setStatus in a tight loop on the real clock: writes are throttled
{
  const env = { ...freshEnv(), clock: () => Date.now() };
  await enqueueWith(env, "bench.tasks.noop", { jobId: "s" });
  const job = await take(env);
  let writes = 0;
  const real = scriptStatusWriter(env, job.id);
  const counted = (r, e) => {
    writes++;
    return real(r, e);
  };
  const CALLS = 200_000;
  const loop = await ms(() =>
    runInJobContext(
      job,
      env,
      async () => {
        for (let i = 0; i < CALLS; i++) {
          void currentJob().setStatus({ total: CALLS, processed: i + 1, status: "In Progress" });
          if (i % 1000 === 0) await new Promise((r) => setImmediate(r)); // let timers and writes run
        }
      },
      { statusWriter: counted },
    ),
  );
  out.push(`setStatus: ${CALLS} calls in ${loop.ms.toFixed(0)} ms (${((loop.ms * 1000) / CALLS).toFixed(2)} µs each), ${writes} writes = ${((writes / loop.ms) * 1000).toFixed(1)} writes/s`);
  await drop(env);
}

for (const line of out) console.log(line);
redis.disconnect();
