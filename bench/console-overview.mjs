// What the console's reads cost with 1 000 000 jobs in the registries: the overview, the first
// page of a registry, and a bounded kwargs search. The registries are filled with ids directly
// (a job hash only for the ids the reads look at: the heads and the newest), since the reads
// never touch the others; that is the point being measured.
//
//   npm run build && node bench/console-overview.mjs --redis redis://127.0.0.1:6379/4
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import Fastify from "fastify";
import { registerConsole } from "../dist/http/console/register.js";
import { createKeys } from "../dist/redis/keys.js";
import { BUILTIN_QUEUES, DEFAULT_RETENTION } from "../dist/config/defaults.js";

const { values } = parseArgs({ options: { redis: { type: "string", default: "redis://127.0.0.1:6379" }, jobs: { type: "string", default: "1000000" }, runs: { type: "string", default: "20" } } });
const total = Number(values.jobs);
const prefix = `bench-console-${randomBytes(3).toString("hex")}`;
const keys = createKeys(prefix);
const redis = new Redis(values.redis);
const now = Date.now();
const CHUNK = 5000;

async function fill(kind, queue, count, score) {
  for (let start = 0; start < count; start += CHUNK) {
    const pipe = redis.pipeline();
    const n = Math.min(CHUNK, count - start);
    if (kind === "queue") pipe.rpush(keys.queue(queue), ...Array.from({ length: n }, (_, i) => `${queue}-q-${start + i}`));
    else {
      const args = [];
      for (let i = 0; i < n; i++) args.push(score(start + i), `${queue}-${kind}-${start + i}`);
      pipe.zadd(keys[kind](queue), ...args);
    }
    await pipe.exec();
  }
}

function hashFor(id, queue, status, at) {
  return { method: "app.tasks.report", queue, status, kwargs: JSON.stringify({ customer: `c-${id}` }), timeout: "300", attempt: "1", createdAt: String(at), enqueuedAt: String(at), endedAt: String(at), stalls: "0" };
}

const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  const per = Math.floor(total / 6);
  const started = Date.now();
  await redis.sadd(keys.queues(), "default", "short");
  for (const q of ["default", "short"]) {
    await fill("queue", q, per, null);
    await fill("finished", q, per, (i) => now + 600_000 - i);
    await fill("failed", q, per, (i) => now + DEFAULT_RETENTION.failed * 1000 - i * 10);
  }
  // hashes for what the reads look at: the queue heads and the newest entries of each registry
  const pipe = redis.pipeline();
  for (const q of ["default", "short"]) {
    pipe.hset(keys.job(`${q}-q-0`), hashFor(`${q}-q-0`, q, "queued", now - 60_000));
    for (let i = 0; i < 60; i++) {
      pipe.hset(keys.job(`${q}-failed-${i}`), hashFor(i, q, "failed", now - i * 10));
      pipe.hset(keys.job(`${q}-finished-${i}`), hashFor(i, q, "finished", now - i));
      pipe.hset(keys.job(`${q}-q-${per - 1 - i}`), hashFor(i, q, "queued", now - i));
    }
  }
  await pipe.exec();
  const filled = Date.now() - started;

  const config = { hooksFile: "", appRoot: "", redisUrl: values.redis, prefix, timezone: "UTC", schedulerInterval: 60, queues: BUILTIN_QUEUES, logLevel: "info", retention: DEFAULT_RETENTION, sources: {} };
  const app = Fastify();
  await registerConsole(app, { redis, keys, config, readOnly: true, clock: Date.now, role: "serve", tasks: [], redactKeys: ["password"] });
  await app.ready();
  const time = async (url) => {
    const xs = [];
    let body;
    for (let i = 0; i < Number(values.runs); i++) {
      const t0 = process.hrtime.bigint();
      const res = await app.inject({ method: "GET", url });
      xs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      body = res.json();
      if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    }
    return { medianMs: Number(median(xs).toFixed(2)), maxMs: Number(Math.max(...xs).toFixed(2)), body };
  };
  const overview = await time("/api/overview");
  const page = await time("/api/jobs?state=failed&queue=default&limit=50");
  const search = await time("/api/jobs?state=finished&queue=short&q=nothing-matches&scan=5000");
  await app.close();
  process.stdout.write(
    `${JSON.stringify(
      {
        jobsInRegistries: per * 6,
        fillMs: filled,
        overview: { medianMs: overview.medianMs, maxMs: overview.maxMs, failedCounted: overview.body.queues.map((q) => [q.name, q.counts.failed]) },
        firstPageOfFailed: { medianMs: page.medianMs, maxMs: page.maxMs, total: page.body.total },
        search5000: { medianMs: search.medianMs, maxMs: search.maxMs, scanned: search.body.scanned, of: search.body.total },
      },
      null,
      2,
    )}\n`,
  );
} finally {
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", `${keys.root}:*`, "COUNT", 1000);
    cursor = next;
    if (batch.length) await redis.del(...batch);
  } while (cursor !== "0");
  redis.disconnect();
}
