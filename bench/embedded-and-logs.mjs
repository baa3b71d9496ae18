// Figures for the embedded Redis, the event stream follower and the logger (uses dist/: run
// `npm run build` first). Usage: BENCH_REDIS_URL=redis://127.0.0.1:6379/5 node bench/embedded-and-logs.mjs
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { ensureRedis } from "../dist/daemon/embedded-redis.js";
import { appendEvent } from "../dist/log/events.js";
import { followEvents } from "../dist/log/read-events.js";
import { closeLogger, createLogger, jobLogger } from "../dist/log/logger.js";
import { createKeys } from "../dist/redis/keys.js";

const url = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/5";
const ms = (t) => `${(performance.now() - t).toFixed(1)} ms`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// 1. Embedded redis-server: cold start, reuse by a second owner, shutdown by the last.
{
  const cwd = mkdtempSync(join(tmpdir(), "hs-bench-emb-"));
  let t = performance.now();
  const a = await ensureRedis({ cwd, probeUrl: "redis://127.0.0.1:1" });
  console.log(`embedded cold start (spawn + AOF + first answer): ${ms(t)}`);
  t = performance.now();
  const b = await ensureRedis({ cwd, probeUrl: "redis://127.0.0.1:1" });
  console.log(`embedded reuse by a second owner: ${ms(t)}`);
  await a.stop();
  t = performance.now();
  await b.stop();
  console.log(`embedded SHUTDOWN by the last owner (until the process is gone): ${ms(t)}`);
  rmSync(cwd, { recursive: true, force: true });
}

// 2. followEvents: latency from XADD to delivery, and history read speed.
{
  const redis = new Redis(url);
  const keys = createKeys(`bench-logs-${process.pid}`);
  const controller = new AbortController();
  const sent = new Map();
  const lat = [];
  const follow = followEvents(redis, keys, {}, (e) => lat.push(performance.now() - sent.get(e.msg)), controller.signal, { blockMs: 1000 });
  await new Promise((r) => setTimeout(r, 100));
  for (let i = 0; i < 200; i++) {
    sent.set(`m${i}`, performance.now());
    await appendEvent(redis, keys, { type: "job.started", level: "info", at: Date.now(), msg: `m${i}` });
    await new Promise((r) => setTimeout(r, 2));
  }
  while (lat.length < 200) await new Promise((r) => setTimeout(r, 10));
  controller.abort();
  await follow;
  console.log(`follow latency XADD -> onEvent over 200 events: median ${median(lat).toFixed(2)} ms, max ${Math.max(...lat).toFixed(2)} ms`);
  await redis.del(keys.events());
  redis.disconnect();
}

// 3. Logger: JSON lines to a rotated file (no console), plain and through job children; timed
// until the file is closed (everything on disk), and the lines on disk counted (the writer drops
// lines past a 32 MB backlog instead of growing without bound).
async function logRun(label, n, logOne) {
  const dir = mkdtempSync(join(tmpdir(), "hs-bench-log-"));
  const log = createLogger({ name: "worker", console: false, file: join(dir, "logs", "worker.log"), rotate: { size: "10M", files: 5 } });
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    logOne(log, i);
    // Yield now and then, as a real process does between jobs.
    if (i % 1000 === 999) await new Promise((r) => setImmediate(r));
  }
  const produced = performance.now() - t;
  await closeLogger(log);
  const total = performance.now() - t;
  const files = readdirSync(join(dir, "logs"));
  const onDisk = files.reduce((sum, f) => sum + readFileSync(join(dir, "logs", f), "utf8").split("\n").length - 1, 0);
  console.log(
    `logger ${label}: ${n} lines produced at ${Math.round(n / (produced / 1000))}/s, on disk after ${total.toFixed(0)} ms ` +
      `(${Math.round(onDisk / (total / 1000))}/s), ${onDisk} of ${n} lines kept in ${files.length} file(s)`,
  );
  rmSync(dir, { recursive: true, force: true });
}
await logRun("plain", 100_000, (log, i) => log.info({ i }, "line"));
await logRun("jobLogger per line", 100_000, (log, i) => jobLogger(log, { id: `j${i}`, queue: "default", method: "app.tasks.x", attempt: 1 }).info("line"));
