// Soak: the reliability suite's load scenario for N minutes (not part of `npm test`).
// A redis-server of its own (port 6419), 3 scheduler daemons firing 3 tasks every second,
// 2 worker processes (concurrency 32, round robin over `load` and `sched-test`), and a steady
// stream of `load` jobs; retention 2 s with a cleanRegistries sweep every 5 s.
// Prints every 5 s: jobs finished, throughput, backlog, pickup lateness, Redis memory; at the
// end: totals, lost/doubled, scheduler enqueue lateness percentiles (from the 3 daemons).
//   npm run build && node bench/soak.mjs [minutes=1]      (env SOAK_RATE jobs/s, default 1000)
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { createKeys } from "../dist/redis/keys.js";
import { normalizeOptions } from "../dist/queue/options.js";
import { buildPrepared } from "../dist/queue/prepare.js";
import { pushPrepared } from "../dist/queue/push.js";
import { cleanRegistries } from "../dist/queue/registry.js";

const minutes = Number(process.argv[2] ?? 1);
const rate = Number(process.env.SOAK_RATE ?? 1000);
if (!(minutes > 0) || !(rate > 0)) {
  console.error("usage: node bench/soak.mjs [minutes > 0]  (SOAK_RATE=jobs per second > 0)");
  process.exit(2);
}
const PORT = 6419;
const url = `redis://127.0.0.1:${PORT}`;
const root = fileURLToPath(new URL("../", import.meta.url));
const hooks = join(root, "test/reliability/fixtures/app/hooks.ts");
const fixture = join(root, "test/scheduler/fixtures/run-scheduler.mjs");
const dir = mkdtempSync(join(tmpdir(), "hs-soak-"));
const children = [];
const started = (cmd, args, env = {}) => {
  const p = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  children.push(p);
  return p;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN);
const mem = async (r) => Number(/used_memory:(\d+)/.exec(await r.info("memory"))[1]);

started("redis-server", ["--port", String(PORT), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"]);
const redis = new Redis(url, { maxRetriesPerRequest: null });
redis.on("error", () => {}); // refused until redis-server is up; later errors fail the commands
for (let i = 0; i < 50 && (await redis.ping().catch(() => "")) !== "PONG"; i++) await sleep(100);
const keys = createKeys("soak");
// its own server, emptied: the marker keeps the worker on the keys this process builds
await redis.set(keys.layout(), "installation");
const rec = `${keys.root}:rec`;
const env = { redis, keys, clock: Date.now, queues: { load: { timeout: 30, workers: 1, concurrency: 32 }, "sched-test": { timeout: 30, workers: 1, concurrency: 8 } }, retention: { finished: 2, failed: 2 } };
const baseline = await mem(redis);

const schedulers = [0, 1, 2].map(() => started(process.execPath, [fixture], { REDIS_URL: url, PREFIX: keys.prefix, TASKS: "3", EXPR: "* * * * * *", LEASE_MS: "1000" }));
const lateness = [];
for (const s of schedulers) {
  let buf = "";
  s.stdout.on("data", (d) => {
    buf += d;
    for (const line of buf.split("\n").slice(0, -1)) if (line.includes('"stopped"')) lateness.push(JSON.parse(line).lateness);
    buf = buf.slice(buf.lastIndexOf("\n") + 1);
  });
}
const worker = started(process.execPath, [join(root, "bin/scheduler.js"), "worker", "--hooks", hooks, "--redis", url, "--prefix", keys.prefix, "--queue", "load,sched-test", "--processes", "2", "--concurrency", "32", "--strategy", "round_robin"], {
  RELIABILITY_REDIS_URL: url, RELIABILITY_RETENTION: "2", RELIABILITY_REC: `${rec}:sched`, SCHEDULER_LOG_LEVEL: "warn",
});
worker.stdout.resume();

let enqueued = 0;
const endAt = Date.now() + minutes * 60_000;
const t0 = Date.now();
let lastSample = { at: t0, done: 0 };
const pickup = [];
console.log("   t(s)  enqueued  finished  jobs/s  backlog  pickup p50/p99 (ms)  redis MB");
while (Date.now() < endAt) {
  const tickStart = Date.now();
  const batch = Array.from({ length: rate }, () => buildPrepared(env, "app.tasks.work", normalizeOptions({ queue: "load", rec })).prepared);
  for (let i = 0; i < batch.length; i += 500) await pushPrepared(env, batch.slice(i, i + 500));
  enqueued += batch.length;
  // Pickup lateness: enqueue -> start of recently finished jobs (read before retention drops them).
  const recent = await redis.zrange(keys.finished("load"), -20, -1);
  for (const id of recent) {
    const [enq, st] = await redis.hmget(keys.job(id), "enqueuedAt", "startedAt");
    if (enq && st) pickup.push(Number(st) - Number(enq));
  }
  if (Date.now() - lastSample.at >= 5000) {
    await cleanRegistries(env, { limit: 5000 });
    const done = await redis.hlen(rec);
    const now = Date.now();
    const window = pickup.splice(0).sort((a, b) => a - b);
    console.log(
      `${String(Math.round((now - t0) / 1000)).padStart(7)}  ${String(enqueued).padStart(8)}  ${String(done).padStart(8)}  ${String(Math.round(((done - lastSample.done) / (now - lastSample.at)) * 1000)).padStart(6)}  ${String(await redis.llen(keys.queue("load"))).padStart(7)}  ${String(pct(window, 50)).padStart(9)} / ${String(pct(window, 99)).padEnd(8)}  ${((await mem(redis)) / 1e6).toFixed(1).padStart(8)}`,
    );
    lastSample = { at: now, done };
  }
  await sleep(Math.max(0, 1000 - (Date.now() - tickStart)));
}
// Drain, stop the schedulers (they print their lateness), stop the worker.
for (let i = 0; i < 600 && (await redis.hlen(rec)) < enqueued; i++) await sleep(100);
for (const s of schedulers) s.kill("SIGTERM");
await Promise.all(schedulers.map((s) => new Promise((r) => s.on("exit", r))));
worker.kill("SIGTERM");
await new Promise((r) => worker.on("exit", r));
const runs = Object.values(await redis.hgetall(rec)).map(Number);
const seconds = (Date.now() - t0) / 1000;
console.log(`\nenqueued ${enqueued}, finished ${runs.length} (${Math.round(runs.length / seconds)} jobs/s over ${seconds.toFixed(0)} s), lost ${enqueued - runs.length}, doubled ${runs.filter((n) => n > 1).length}`);
for (const [i, l] of lateness.entries()) console.log(`scheduler ${i}: enqueue lateness ${JSON.stringify(l)}`);
await sleep(2200);
for (let n = -1; n !== 0; ) n = await cleanRegistries(env, { limit: 5000 });
await redis.del(rec, `${rec}:start`, `${rec}:pid`, `${rec}:sched`);
console.log(`redis memory: baseline ${(baseline / 1e6).toFixed(2)} MB, after retention + sweep ${((await mem(redis)) / 1e6).toFixed(2)} MB (events stream capped at 10k entries)`);
redis.disconnect();
for (const c of children) c.kill("SIGKILL");
rmSync(dir, { recursive: true, force: true });
