#!/usr/bin/env node
/**
 * How late does the scheduler enqueue a slot? Runs one scheduler daemon (the test fixture, on
 * the built dist/) with a per-second schedule for ~20 s, drains its queue like a worker, and
 * prints p50/p99/max of the lateness:
 *   - job: job.enqueuedAt - job.scheduledFor (the clock reading enqueue.lua was called with)
 *   - ack: when enqueue.lua had answered, measured by the scheduler (its ledger latenessMs)
 * Not part of `npm test`. Usage: npm run build && node bench/schedule-precision.mjs [seconds]
 * Env: REDIS_URL (default redis://127.0.0.1:6379/0); keys use a throwaway prefix, deleted after.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { createKeys } from "../dist/redis/keys.js";
import { BUILTIN_QUEUES, DEFAULT_RETENTION } from "../dist/config/defaults.js";
import { dequeue, completeJob } from "../dist/queue/lifecycle.js";
import { readLedger } from "../dist/scheduler/ledger.js";
import { summarize } from "../dist/scheduler/latency.js";
import { dropKeys } from "./lib/common.mjs";

const seconds = Number(process.argv[2] ?? 20);
const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379/0";
const prefix = `bench-precision-${randomBytes(3).toString("hex")}`;
const keys = createKeys(prefix);
const redis = new Redis(url);
const blocking = new Redis(url);
const env = {
  redis,
  keys,
  clock: () => Date.now(),
  queues: { ...BUILTIN_QUEUES, "sched-test": { timeout: 30, workers: 0, concurrency: 1 } },
  retention: DEFAULT_RETENTION,
};
const fixture = fileURLToPath(new URL("../test/scheduler/fixtures/run-scheduler.mjs", import.meta.url));
const daemon = spawn(process.execPath, [fixture], {
  env: { ...process.env, REDIS_URL: url, PREFIX: prefix, EXPR: "* * * * * *", LEASE_MS: "10000" },
  stdio: ["ignore", "pipe", "inherit"],
});
let out = "";
daemon.stdout.on("data", (d) => (out += d));

const jobs = [];
const deadline = Date.now() + seconds * 1000 + 2000; // + start-up
while (Date.now() < deadline) {
  const job = await dequeue(env, { queues: ["sched-test"], worker: "bench", leaseMs: 30_000 });
  if (job) {
    jobs.push(job);
    await completeJob(env, { job, worker: "bench", result: null });
  } else {
    await blocking.blpop(keys.wake("sched-test"), 0.2);
  }
}
daemon.kill("SIGTERM");
await new Promise((r) => daemon.on("exit", r));

const task = "cron|* * * * * *|app.tasks.t0";
const ledger = await readLedger(redis, keys, task, 200);
const job = summarize(jobs.map((j) => j.enqueuedAt - j.scheduledFor));
const ack = summarize(ledger.filter((e) => e.outcome === "enqueued").map((e) => e.latenessMs));
const slots = jobs.map((j) => j.scheduledFor).sort((a, b) => a - b);
const gaps = slots.slice(1).filter((s, i) => s - slots[i] !== 1000).length;
const skipped = ledger.filter((e) => e.outcome !== "enqueued");
console.log(`per-second schedule for ${seconds} s on ${url.replace(/:[^:@/]*@/, ":***@")}: ${jobs.length} jobs, ${gaps} gaps, ${skipped.length} skip entries`);
console.log(`lateness job (enqueuedAt - slot): p50 ${job.p50} ms, p99 ${job.p99} ms, max ${job.max} ms`);
console.log(`lateness ack (enqueue answered - slot): p50 ${ack.p50} ms, p99 ${ack.p99} ms, max ${ack.max} ms`);

await dropKeys(redis, `${keys.root}:*`);
redis.disconnect();
blocking.disconnect();
