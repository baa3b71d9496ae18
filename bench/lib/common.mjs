import { spawn } from "node:child_process";
// Helpers shared by the bench scenarios: the Redis URL, percentiles, bounded polling, key
// cleanup by pattern, Redis memory, and /proc readings (RSS, CPU time) of spawned processes.
import { createKeys } from "../../dist/redis/keys.js";
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";

export { sleep };
export const BENCH_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/10";
export const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

/** Wall clock in epoch ms with sub-ms digits, comparable across processes on this host. */
export const nowUs = () => performance.timeOrigin + performance.now();

export function redisClient(extra = {}) {
  return new Redis(BENCH_URL, { maxRetriesPerRequest: null, ...extra });
}

export function percentile(xs, p) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((s.length * p) / 100) - 1))];
}

export function summary(xs) {
  return { n: xs.length, p50: percentile(xs, 50), p99: percentile(xs, 99), max: xs.length ? Math.max(...xs) : NaN };
}

/** Poll `check` until it returns a truthy value; throws after timeoutMs naming `what`. */
export async function waitFor(check, timeoutMs, what, intervalMs = 25) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`bench: timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/**
 * The key layout of the bench's prefixes: the one new installations get (each queue on its own
 * tag), or BENCH_KEY_LAYOUT=installation for the layout of the installations from before it.
 */
export const BENCH_LAYOUT = process.env.BENCH_KEY_LAYOUT === "installation" ? "installation" : "queue";

/** The keys of a bench prefix, in BENCH_LAYOUT. */
export const benchKeys = (prefix) => createKeys(prefix, { jobTags: BENCH_LAYOUT });

/**
 * A prefix emptied (its keys on every tag) with its layout marker written, so a daemon the bench
 * starts on it before any job is there builds the keys the bench reads.
 */
export async function resetPrefix(redis, prefix) {
  const keys = benchKeys(prefix);
  await dropKeys(redis, keys.pattern);
  await redis.set(keys.layout(), BENCH_LAYOUT);
  return keys;
}

/** UNLINK every key matching `pattern` (SCAN, so Redis is never blocked for long). */
export async function dropKeys(redis, pattern) {
  let cursor = "0";
  let n = 0;
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 2000);
    cursor = next;
    if (batch.length) n += await redis.unlink(...batch);
  } while (cursor !== "0");
  return n;
}

export async function usedMemory(redis) {
  const info = await redis.info("memory");
  return Number(/used_memory:(\d+)/.exec(info)[1]);
}

/** Resident set size of a process, bytes (Linux /proc). */
export function rssOf(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** User + system CPU time a process has used so far, ms (Linux /proc, clock ticks of 10 ms). */
export function cpuMsOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime (fields 14, 15)
}

/** cpuMsOf split: [user ms, system ms] (system: the kernel's work for it, syscalls and wake-ups). */
export function cpuSplitOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return [Number(fields[11]) * 10, Number(fields[12]) * 10];
}

/** Direct children of a process (Linux /proc). */
export function childrenOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Resolves with the exit code once `child` exits; kills it with SIGKILL after timeoutMs. */
export function exited(child, timeoutMs = 15_000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

export function loadAverage() {
  return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).map(Number);
}

/** n / the time `fn` takes, per second. */
export async function perSecond(n, fn) {
  const t = performance.now();
  await fn();
  return (n / (performance.now() - t)) * 1000;
}

/**
 * A peer's worker script (bench/systems/*-worker.mjs) in a process of its own, as our worker
 * child is; resolves once it prints "ready". stop() sends SIGTERM and resolves with its exit code.
 */
export async function startWorkerProcess(script, env, what) {
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out = (out + d).slice(-4000)));
  await waitFor(() => child.exitCode !== null || out.includes("ready"), 30_000, what);
  if (child.exitCode !== null) throw new Error(`${what} exited ${child.exitCode}: ${out}`);
  return {
    output: () => out,
    stop() {
      child.kill("SIGTERM");
      return exited(child);
    },
  };
}

