// Enqueue one by one, two built trees taking turns on one Redis (an A/B of a change to the
// enqueue path, e.g. this tree against a `git worktree add /tmp/base <commit>` built beside it):
//   node bench/enqueue-ab.mjs <tree A> <tree B> [N=5000] [rounds=10]
// Prints each tree's jobs/s per round, the median, and the producer's CPU per enqueue. Every key
// is under a fresh {bench-ab-*} prefix and deleted at the end.
import { Redis } from "ioredis";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { BENCH_URL, dropKeys, loadAverage } from "./lib/common.mjs";

const [a, b, n = "5000", rounds = "10"] = process.argv.slice(2);
if (!a || !b) {
  console.error("usage: node bench/enqueue-ab.mjs <tree A> <tree B> [N] [rounds] (each tree built: npm run build)");
  process.exit(2);
}
const N = Number(n);
const redis = new Redis(BENCH_URL);

async function producer(tree, label) {
  const at = (p) => import(pathToFileURL(resolve(tree, "dist", p)).href);
  const { createKeys } = await at("redis/keys.js");
  const { BUILTIN_QUEUES, DEFAULT_RETENTION } = await at("config/defaults.js");
  const { enqueueWith } = await at("queue/enqueue.js");
  const { preloadScripts } = await at("redis/scripts.js");
  await preloadScripts(redis, ["enqueue"]);
  const prefix = `bench-ab-${label}-${process.pid}`;
  const env = { redis, keys: createKeys(prefix), clock: () => Date.now(), queues: { ...BUILTIN_QUEUES, bench: { timeout: 60, workers: 1, concurrency: 1 } }, retention: { ...DEFAULT_RETENTION, finished: 3600 } };
  const round = async () => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < N; i++) await enqueueWith(env, "bench_app.tasks.noop", { queue: "bench", i });
    const c = process.cpuUsage(c0);
    return { rate: N / ((performance.now() - t0) / 1000), cpu: (c.user + c.system) / N };
  };
  return { tree, round, drop: () => dropKeys(redis, `{${prefix}}:*`) };
}

const med = (xs) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];
const sides = { A: await producer(a, "a"), B: await producer(b, "b") };
const out = { A: [], B: [] };
console.log(`enqueue one by one, ${N} per round, ${rounds} rounds taking turns, ${BENCH_URL}, load average ${loadAverage().join(" ")}`);
for (let r = 0; r < Number(rounds); r++) for (const k of r % 2 ? ["B", "A"] : ["A", "B"]) out[k].push(await sides[k].round());
for (const k of ["A", "B"]) {
  const rates = out[k].map((x) => x.rate);
  console.log(`${k} ${sides[k].tree}: jobs/s ${rates.map((x) => x.toFixed(0)).join(" ")}; median ${med(rates).toFixed(0)}; producer CPU median ${med(out[k].map((x) => x.cpu)).toFixed(1)} µs/enqueue`);
}
console.log(`B/A median jobs/s: ${(med(out.B.map((x) => x.rate)) / med(out.A.map((x) => x.rate))).toFixed(3)}; load average ${loadAverage().join(" ")}`);
for (const s of Object.values(sides)) await s.drop();
redis.disconnect();
