/**
 * Helpers for the worker process tests: spawn the real CLI (`node bin/scheduler.js worker`,
 * after `npm run build`), enqueue through the real queue, and census every registry so a test
 * can prove that no job was lost or duplicated.
 */
import { getJobAttempts } from "../../src/queue/registry.js";
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { TestRedis } from "../helpers/redis.js";
import { waitFor } from "../helpers/redis.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import type { QueueEnv } from "../../src/queue/context.js";
import type { Job } from "../../src/queue/types.js";
import { decodeJob } from "../../src/queue/job-codec.js";
import { systemClock } from "../../src/base/clock.js";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const BIN = fileURLToPath(new URL("../../bin/scheduler.js", import.meta.url));
export const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}/hooks.ts`, import.meta.url));

/** Queue settings of fixtures/app/hooks.ts (the env used to enqueue must agree). */
export const FIXTURE_QUEUES = {
  short: { timeout: 1, workers: 1, concurrency: 1 },
  default: { timeout: 30, workers: 1, concurrency: 1 },
  long: { timeout: 60, workers: 1, concurrency: 1 },
};

export function queueEnv(t: TestRedis, queues: QueueEnv["queues"] = FIXTURE_QUEUES): QueueEnv {
  return { redis: t.redis, keys: t.keys, clock: systemClock, queues, retention: { finished: 600, failed: 600 } };
}

export async function enqueueMany(env: QueueEnv, n: number, method: string, options: Record<string, unknown> = {}): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(((await enqueueWith(env, method, { ...options })) as Job).id);
  return ids;
}

export interface WorkerProcess {
  proc: ChildProcess;
  /** Parsed JSON log lines so far (non-JSON lines kept as { raw }). */
  lines: Array<Record<string, unknown>>;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Wait for a log line whose msg contains `text`. */
  waitForLog(text: string, timeoutMs?: number): Promise<Record<string, unknown>>;
}

export function spawnWorker(t: TestRedis, hooks: string, args: string[], options: { detached?: boolean } = {}): WorkerProcess {
  const proc = spawn(process.execPath, [BIN, "worker", "--hooks", hooks, "--redis", t.url, "--prefix", t.prefix, ...args], {
    cwd: ROOT,
    // detached: a process group of its own, so a test can signal it the way Ctrl-C does.
    detached: options.detached ?? false,
    env: { ...process.env, WORKER_TEST_REDIS_URL: t.url, SCHEDULER_LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: Array<Record<string, unknown>> = [];
  let text = "";
  let partial = "";
  const onData = (chunk: Buffer) => {
    const s = chunk.toString();
    text += s;
    partial += s;
    const parts = partial.split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) {
      if (!line.trim()) continue;
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ raw: line });
      }
    }
  };
  proc.stdout!.on("data", onData);
  proc.stderr!.on("data", onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on("exit", (code, signal) => resolve({ code, signal })));
  return {
    proc,
    lines,
    output: () => text,
    exited,
    waitForLog: async (needle, timeoutMs = 20_000) =>
      (await waitFor(() => lines.find((l) => typeof l.msg === "string" && l.msg.includes(needle)), timeoutMs))!,
  };
}

/**
 * Wait for the process to exit; kills it (SIGKILL) and fails when it has printed nothing for
 * `quietMs`. The bound follows the work: a worker that is still starting children, killing
 * timed-out jobs or running them says so in its log, so a slow (shared, loaded) machine only
 * stretches the wait, while a worker that is stuck is caught `quietMs` after its last word.
 */
export async function exitOf(w: WorkerProcess, quietMs = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  let seen = w.output().length;
  let lastWord = Date.now();
  const stuck = new Promise<never>((_r, reject) => {
    const check = () => {
      const now = Date.now();
      if (w.output().length !== seen) {
        seen = w.output().length;
        lastWord = now;
      }
      if (now - lastWord > quietMs) {
        w.proc.kill("SIGKILL");
        reject(new Error(`worker did not exit and printed nothing for ${quietMs} ms; output:\n${w.output().slice(-3000)}`));
        return;
      }
      timer = setTimeout(check, 100);
    };
    timer = setTimeout(check, 100);
  });
  try {
    return await Promise.race([w.exited, stuck]);
  } finally {
    clearTimeout(timer);
  }
}

/** Where every job id is (see test/helpers/census.ts; kept here for the worker tests' imports). */
export { census } from "../helpers/census.js";

export async function getJob(t: TestRedis, id: string): Promise<Job> {
  return decodeJob(await t.redis.hgetall(t.keys.job(id)), id);
}

/** Job ids in `place` (e.g. "finished:default") according to a census. */
export function idsIn(where: Map<string, string[]>, place: string): string[] {
  return [...where].filter(([, places]) => places.includes(place)).map(([id]) => id);
}

export function killQuietly(w: WorkerProcess | undefined): void {
  if (w && w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill("SIGKILL");
}

/** Every event in the stream (oldest first). */
export async function events(t: TestRedis): Promise<Array<{ type: string; msg: string; jobId?: string; worker?: string; data?: Record<string, unknown> }>> {
  const rows = (await t.redis.xrange(t.keys.events(), "-", "+")) as Array<[string, string[]]>;
  return rows.map(([, fields]) => JSON.parse(fields[1] ?? "{}"));
}

export async function attempts(t: TestRedis, id: string): Promise<Array<{ outcome: string; worker: string; error?: { message: string }; reason?: string }>> {
  return getJobAttempts(id, queueEnv(t));
}

/** pid of the child that recorded `start:<id>:<pid>` in the `record` list, once it has. */
export async function childRunning(t: TestRedis, record: string, id: string): Promise<number> {
  const entry = await waitFor(async () => (await t.redis.lrange(record, 0, -1)).find((r) => r.startsWith(`start:${id}:`)), 20_000);
  return Number(entry!.split(":")[2]);
}
