/**
 * The worker records: who is working, where, on what.
 *
 * `keys.workers()` is a sorted set of worker names scored by their last heartbeat (ms);
 * `keys.worker(name)` a hash of details that expires by itself. A worker that dies without saying
 * goodbye therefore drops out on its own: its hash expires and every heartbeat of any live worker
 * prunes set members older than the TTL. Each write is one MULTI.
 *
 * The supervisor writes the entries of its child processes (a child's event loop may be blocked
 * by a task, the supervisor's is not), so an entry is alive exactly as long as someone watches
 * that child.
 */
import type { QueueEnv } from "../../queue/context.js";

export interface WorkerInfo {
  name: string;
  host: string;
  pid: number;
  /** pid of the supervising process. */
  supervisorPid: number;
  queues: string[];
  group: string;
  startedAt: number;
}

export interface WorkerState {
  currentJobs: string[];
  done: number;
  failed: number;
  state: "starting" | "idle" | "busy" | "stopping";
  /** The child's resident set size, bytes, from its last pulse (absent before the first). */
  rss?: number;
  /** The supervising process's own resident set size, bytes. */
  supervisorRss?: number;
}

export interface WorkerRecord extends WorkerInfo, WorkerState {
  lastHeartbeat: number;
}

type RecordsContext = Pick<QueueEnv, "redis" | "keys" | "clock">;

/** Write (or refresh) one worker's entry; also prunes entries older than `ttlMs`. */
export async function touchWorker(ctx: RecordsContext, info: WorkerInfo, state: WorkerState, ttlMs: number): Promise<void> {
  const now = ctx.clock();
  const key = ctx.keys.worker(info.name);
  await ctx.redis
    .multi()
    .zadd(ctx.keys.workers(), now, info.name)
    .zremrangebyscore(ctx.keys.workers(), "-inf", `(${now - ttlMs}`)
    .hset(key, {
      name: info.name,
      host: info.host,
      pid: String(info.pid),
      supervisorPid: String(info.supervisorPid),
      queues: info.queues.join(","),
      group: info.group,
      startedAt: String(info.startedAt),
      lastHeartbeat: String(now),
      currentJobs: JSON.stringify(state.currentJobs),
      done: String(state.done),
      failed: String(state.failed),
      state: state.state,
      ...(state.rss !== undefined ? { rss: String(state.rss) } : {}),
      ...(state.supervisorRss !== undefined ? { supervisorRss: String(state.supervisorRss) } : {}),
    })
    .pexpire(key, ttlMs)
    .exec();
}

/** Remove a worker's entry (clean exit). */
export async function removeWorker(ctx: RecordsContext, name: string): Promise<void> {
  await ctx.redis.multi().zrem(ctx.keys.workers(), name).del(ctx.keys.worker(name)).exec();
}

/** Live workers: heartbeat within `ttlMs`, with their details, oldest first. */
export async function listWorkers(ctx: RecordsContext, ttlMs: number): Promise<WorkerRecord[]> {
  const names = await ctx.redis.zrangebyscore(ctx.keys.workers(), ctx.clock() - ttlMs, "+inf");
  if (names.length === 0) return [];
  const pipe = ctx.redis.pipeline();
  for (const name of names) pipe.hgetall(ctx.keys.worker(name));
  const rows = (await pipe.exec()) ?? [];
  const out: WorkerRecord[] = [];
  rows.forEach(([err, raw]) => {
    const h = raw as Record<string, string> | null;
    if (err || !h || !h.name) return; // expired between the two reads
    out.push(parseWorker(h));
  });
  return out;
}

export function parseWorker(h: Record<string, string>): WorkerRecord {
  let currentJobs: string[] = [];
  try {
    currentJobs = JSON.parse(h.currentJobs ?? "[]") as string[];
  } catch {
    currentJobs = [];
  }
  return {
    name: h.name ?? "",
    host: h.host ?? "",
    pid: Number(h.pid),
    supervisorPid: Number(h.supervisorPid),
    queues: h.queues ? h.queues.split(",") : [],
    group: h.group ?? "",
    startedAt: Number(h.startedAt),
    lastHeartbeat: Number(h.lastHeartbeat),
    currentJobs,
    done: Number(h.done ?? 0),
    failed: Number(h.failed ?? 0),
    state: (h.state as WorkerState["state"]) ?? "idle",
    ...(h.rss ? { rss: Number(h.rss) } : {}),
    ...(h.supervisorRss ? { supervisorRss: Number(h.supervisorRss) } : {}),
  };
}
