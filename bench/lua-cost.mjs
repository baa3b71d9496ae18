// Redis CPU per dequeue.lua / complete.lua call: N no-op jobs enqueued, then dequeued one by one,
// then completed one by one, with CONFIG RESETSTAT before each phase and INFO commandstats
// (cmdstat_evalsha usec / calls) after. Uses DB 10 under its own prefix, deleted at the end.
// Run after `npm run build`:  node bench/lua-cost.mjs
// Env: N (default 4000), DETAIL=1 (print every cmdstat line: the commands the scripts ran),
//   DIST (another build's dist/ to compare, e.g. a copy with older lua files).
import { Redis } from "ioredis";
const DIST = process.env.DIST ?? "../dist";
const { createKeys } = await import(`${DIST}/redis/keys.js`);
const { DEFAULT_RETENTION, BUILTIN_QUEUES } = await import(`${DIST}/config/defaults.js`);
const { enqueueManyWith: enqueueMany } = await import(`${DIST}/queue/enqueue-many.js`);
const { dequeue, completeJob } = await import(`${DIST}/queue/lifecycle.js`);
const { systemClock } = await import(`${DIST}/base/clock.js`);
const N = Number(process.env.N ?? 4000);
const redis = new Redis("redis://127.0.0.1:6379/10");
const prefix = "bench-w12-" + process.pid;
const env = { redis, keys: createKeys(prefix), clock: systemClock, queues: { ...BUILTIN_QUEUES, bench: { timeout: 300, workers: 1, concurrency: 1 } }, retention: DEFAULT_RETENTION };
async function stat() {
  const s = await redis.info("commandstats");
  const m = /cmdstat_evalsha:calls=(\d+),usec=(\d+)/.exec(s);
  if (process.env.DETAIL) console.log(s.split("\n").filter((l) => l.startsWith("cmdstat_")).map((l) => l.replace(/,rejected.*$/, "")).join("\n"));
  return m ? { calls: +m[1], usec: +m[2] } : { calls: 0, usec: 0 };
}
const items = [];
for (let i = 0; i < N; i++) items.push({ method: "app.tasks.noop", options: { queue: "bench", kwargs: { i } } });
for (let i = 0; i < N; i += 1000) await enqueueMany(env, items.slice(i, i + 1000));
const jobs = [];
await redis.config("RESETSTAT");
for (let i = 0; i < N; i++) jobs.push(await dequeue(env, { queues: ["bench"], worker: "w1", leaseMs: 60000 }));
const d = await stat();
await redis.config("RESETSTAT");
for (const job of jobs) await completeJob(env, { job, worker: "w1", result: null });
const c = await stat();
console.log(`dequeue ${(d.usec / d.calls).toFixed(1)} us/call (${d.calls}), complete ${(c.usec / c.calls).toFixed(1)} us/call (${c.calls}), jobs ${jobs.filter(Boolean).length}`);
let cursor = "0";
do { const [n, ks] = await redis.scan(cursor, "MATCH", `{${prefix}}*`, "COUNT", 1000); cursor = n; if (ks.length) await redis.del(...ks); } while (cursor !== "0");
await redis.quit();
