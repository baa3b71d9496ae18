#!/usr/bin/env node
// Redis memory per queued job (issue 20), field by field. Enqueues N no-op jobs (kwargs { i },
// as `npm run bench`'s memory row does) into a fresh prefix with enqueueMany, then reports:
//   - bytes/job from the INFO used_memory delta (the whole server: other tenants move it),
//   - bytes/job from MEMORY USAGE of every key the jobs created, by kind (job hashes, queue
//     list, wake list, events stream, ...), and of one sample job hash,
//   - per field of the sample hash: its value's length (HSTRLEN) and what the hash costs
//     without it (a copy of the hash minus that field under a key of the same length),
//   - BullMQ's INFO delta for the same N in the same run (BENCH_PEER=0 skips it).
// Every key it wrote is deleted at the end. Run after `npm run build`:
//   BENCH_REDIS_URL=redis://127.0.0.1:6379/13 node bench/job-memory.mjs [N=10000]
import { randomUUID } from "node:crypto";
import { createKeys } from "../dist/redis/keys.js";
import { BUILTIN_QUEUES, DEFAULT_RETENTION } from "../dist/config/defaults.js";
import { enqueueManyWith } from "../dist/queue/enqueue-many.js";
import { BENCH_URL, dropKeys, loadAverage, redisClient, usedMemory } from "./lib/common.mjs";
import { createBull } from "./systems/bullmq.mjs";

const N = Number(process.argv[2] ?? 10_000);
const SLICE = 1000;
const redis = redisClient();
// 12 characters, as the bench's own "bench-hs-mem": the key's length moves its jemalloc class
const prefix = `bench-jm-${(process.pid % 4096).toString(16).padStart(3, "0")}`;
const keys = createKeys(prefix);
const env = {
  redis,
  keys,
  clock: () => Date.now(),
  queues: { ...BUILTIN_QUEUES, bench: { timeout: 60, workers: 1, concurrency: 1 } },
  retention: DEFAULT_RETENTION,
};
const usage = async (key) => Number(await redis.memory("USAGE", key, "SAMPLES", 0));
const perJob = (bytes) => (bytes / N).toFixed(1);

/**
 * Bytes one listpack entry takes (Redis 7 listpack.c): an encoding header, the value (a string
 * that reads as a 64-bit integer is stored as one), and a back-length of 1 byte under 128.
 */
function listpackEntry(text) {
  let body;
  if (/^(0|-?[1-9][0-9]{0,18})$/.test(text) && BigInt(text) >= -(2n ** 63n) && BigInt(text) < 2n ** 63n) {
    const n = BigInt(text);
    const fits = (bits) => n >= -(2n ** BigInt(bits - 1)) && n < 2n ** BigInt(bits - 1);
    body = n >= 0n && n <= 127n ? 1 : fits(13) ? 2 : fits(16) ? 3 : fits(24) ? 4 : fits(32) ? 5 : 9;
  } else {
    const len = Buffer.byteLength(text);
    body = len < 64 ? 1 + len : len < 4096 ? 2 + len : 5 + len;
  }
  return body + (body < 128 ? 1 : body < 16384 ? 2 : 3);
}

console.log(`job memory: ${N.toLocaleString("en-US")} queued no-op jobs, ${BENCH_URL}, load average ${loadAverage().join(" ")}`);
await dropKeys(redis, `${keys.root}:*`);
const before = await usedMemory(redis);
for (let i = 0; i < N; i += SLICE) {
  const items = [];
  for (let k = i; k < Math.min(N, i + SLICE); k++) items.push({ method: "bench_app.tasks.noop", options: { queue: "bench", i: k } });
  await enqueueManyWith(env, items);
}
const after = await usedMemory(redis);
console.log(`INFO used_memory delta: ${perJob(after - before)} bytes/job`);

// every key under the prefix, MEMORY USAGE summed by kind (the part after the hash tag)
const byKind = new Map();
let cursor = "0";
do {
  const [next, batch] = await redis.scan(cursor, "MATCH", `${keys.root}:*`, "COUNT", 2000);
  cursor = next;
  const p = redis.pipeline();
  for (const k of batch) p.memory("USAGE", k, "SAMPLES", 0);
  const res = await p.exec();
  batch.forEach((k, i) => {
    const kind = k.slice(keys.root.length + 1).split(":")[0];
    const e = byKind.get(kind) ?? { keys: 0, bytes: 0 };
    e.keys += 1;
    e.bytes += Number(res[i][1]);
    byKind.set(kind, e);
  });
} while (cursor !== "0");
let total = 0;
console.log("\nMEMORY USAGE by key kind (SAMPLES 0; the keyspace table's own slots are not counted):");
for (const [kind, e] of [...byKind].sort((a, b) => b[1].bytes - a[1].bytes)) {
  total += e.bytes;
  console.log(`  ${kind.padEnd(10)} ${String(e.keys).padStart(7)} keys ${String(e.bytes).padStart(10)} bytes  ${perJob(e.bytes).padStart(7)} bytes/job`);
}
console.log(`  all keys                    ${String(total).padStart(10)} bytes  ${perJob(total).padStart(7)} bytes/job`);
// the stream is capped (~10 000 entries whatever N): at 1 000 000 jobs it is ~3 bytes a job
const events = byKind.get("events")?.bytes ?? 0;
console.log(`  all but the events stream   ${String(total - events).padStart(10)} bytes  ${perJob(total - events).padStart(7)} bytes/job`);

// one job in the middle of the queue, field by field
const sampleId = await redis.lindex(keys.queue("bench"), Math.floor(N / 2));
const sampleKey = keys.job(sampleId);
const hash = await redis.hgetall(sampleKey);
const whole = await usage(sampleKey);
console.log(`\nsample job hash ${sampleKey}: ${whole} bytes (${await redis.object("ENCODING", sampleKey)}), key ${sampleKey.length} chars, ${Object.keys(hash).length} fields`);
// the copy's key has the same length as the job's (a UUID of its own), so only the field differs
const copyKey = keys.job(randomUUID());
const copyCost = async (fields) => {
  await redis.del(copyKey);
  if (Object.keys(fields).length > 0) await redis.hset(copyKey, fields);
  return usage(copyKey);
};
const copyWhole = await copyCost(hash);
console.log(`  ${"field".padEnd(12)} ${"value".padEnd(24)} ${"len".padStart(4)} ${"listpack".padStart(8)} ${"hash without it".padStart(16)} ${"saves".padStart(6)}`);
let entries = 0;
for (const [field, value] of Object.entries(hash)) {
  const { [field]: _, ...rest } = hash;
  const without = await copyCost(rest);
  const shown = value.length > 24 ? `${value.slice(0, 21)}...` : value;
  const lp = listpackEntry(field) + listpackEntry(value);
  entries += lp;
  console.log(`  ${field.padEnd(12)} ${shown.padEnd(24)} ${String(await redis.hstrlen(sampleKey, field)).padStart(4)} ${String(lp).padStart(8)} ${String(without).padStart(16)} ${String(copyWhole - without).padStart(6)}`);
}
console.log(`  listpack: ${entries} bytes of entries + 7 of header and end (jemalloc rounds the allocation up to its size class)`);
const empty = await copyCost({ status: "queued" });
console.log(`  (a hash of status alone: ${empty} bytes; the copy of the whole hash: ${copyWhole})`);
await redis.del(copyKey);

const listBytes = byKind.get("queue")?.bytes ?? 0;
console.log(`\nper-job entries: queue list (holds the ${sampleId.length}-char id) ${perJob(listBytes)} bytes/job, wake list ${perJob(byKind.get("wake")?.bytes ?? 0)} bytes/job`);
await dropKeys(redis, `${keys.root}:*`);

if (process.env.BENCH_PEER !== "0") {
  const bull = createBull(redis);
  console.log(`\nBullMQ, same N, INFO used_memory delta: ${(await bull.memoryPerJob(N)).toFixed(1)} bytes/job`);
}
console.log(`load average at the end ${loadAverage().join(" ")}`);
redis.disconnect();
