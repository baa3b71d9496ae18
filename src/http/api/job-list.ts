/**
 * The Jobs page's list: one state, one queue or all, newest first, paged on Redis. Each call
 * reads its registry in pages of PAGE ids from a cursor and reads only those hashes, so a
 * registry of a million jobs costs what one page costs. With filters (task, text in kwargs,
 * time range) the same walk keeps the matches and stops at `limit` matches or `scan` entries
 * looked at, and says how far it got ("searched N of M"); the cursor resumes from there.
 *
 * Order: queued from the tail of the list (last enqueued first); scheduled soonest first (what
 * runs next); the others by registry score, highest first (latest lease, deferral or expiry).
 */
import { readJobs, lastActivity } from "../../ops/job-search.js";
import { registryKey, type StoredStatus } from "../../ops/job-states.js";
import type { QueueEnv } from "../../queue/context.js";
import { readPerTag } from "../../redis/tag-pipeline.js";
import type { Job } from "../../queue/types.js";
import { redact } from "../../security/redact.js";

/** Ids read per registry round trip. */
const PAGE = 200;

export interface JobFilter {
  task?: string;
  /** Case-insensitive text looked for in the id, the method and the (redacted) kwargs. */
  text?: string;
  from?: number;
  to?: number;
}

export interface ListRequest {
  queues: string[];
  state: StoredStatus;
  filter: JobFilter;
  limit: number;
  /** At most this many registry entries looked at per call. */
  scan: number;
  cursor?: string;
  redactKeys: readonly string[];
}

export interface JobSummary {
  id: string;
  method: string;
  queue: string;
  status: string;
  attempt: number;
  task?: string;
  createdAt: number;
  lastActivity: number;
  enqueuedAt?: number;
  startedAt?: number;
  endedAt?: number;
  error?: string;
  progress?: number;
}

export interface ListResult {
  jobs: JobSummary[];
  scanned: number;
  /** Entries in the selected registries now. */
  total: number;
  filtered: boolean;
  nextCursor: string | null;
}

export function summarize(j: Job): JobSummary {
  return {
    id: j.id,
    method: j.method,
    queue: j.queue,
    status: j.status,
    attempt: j.attempt,
    ...(j.task ? { task: j.task } : {}),
    createdAt: j.createdAt,
    lastActivity: lastActivity(j),
    ...(j.enqueuedAt !== undefined ? { enqueuedAt: j.enqueuedAt } : {}),
    ...(j.startedAt !== undefined ? { startedAt: j.startedAt } : {}),
    ...(j.endedAt !== undefined ? { endedAt: j.endedAt } : {}),
    ...(j.error ? { error: j.error.message } : {}),
    ...(j.progress ? { progress: j.progress.percent } : {}),
  };
}

export function isFiltered(f: JobFilter): boolean {
  return f.task !== undefined || f.text !== undefined || f.from !== undefined || f.to !== undefined;
}

export function matches(j: Job, f: JobFilter, redactKeys: readonly string[]): boolean {
  if (f.task !== undefined && j.method !== f.task && j.task !== f.task) return false;
  const at = lastActivity(j);
  if (f.from !== undefined && at < f.from) return false;
  if (f.to !== undefined && at > f.to) return false;
  if (f.text !== undefined) {
    const needle = f.text.toLowerCase();
    // Searched in the masked kwargs, so a search cannot probe a secret's value.
    const hay = `${j.id}\n${j.method}\n${JSON.stringify(redact(j.kwargs, redactKeys))}`.toLowerCase();
    if (!hay.includes(needle)) return false;
  }
  return true;
}

/** Cursor "<queue index>:<offset>" into the selected queues. */
function parseCursor(cursor: string | undefined): [number, number] {
  const m = /^(\d+):(\d+)$/.exec(cursor ?? "0:0");
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

async function pageOf(env: QueueEnv, state: StoredStatus, queue: string, offset: number, size: number): Promise<string[]> {
  const key = registryKey(env.keys, state, queue);
  if (state === "queued") {
    const ids = await env.redis.lrange(key, -(offset + size), -(offset + 1));
    return ids.reverse();
  }
  if (state === "scheduled") return env.redis.zrange(key, offset, offset + size - 1);
  return env.redis.zrevrange(key, offset, offset + size - 1);
}

async function registrySizes(env: QueueEnv, state: StoredStatus, queues: string[]): Promise<number> {
  const rows = await readPerTag(env.redis, queues, (q) => env.keys.jobTag(q), (pipe, q) => {
    const key = registryKey(env.keys, state, q);
    if (state === "queued") pipe.llen(key);
    else pipe.zcard(key);
  });
  let total = 0;
  for (const [n] of rows) total += Number(n);
  return total;
}

export async function listJobs(env: QueueEnv, r: ListRequest): Promise<ListResult> {
  const filtered = isFiltered(r.filter);
  let [qi, offset] = parseCursor(r.cursor);
  const jobs: JobSummary[] = [];
  let scanned = 0;
  while (qi < r.queues.length && jobs.length < r.limit && scanned < r.scan) {
    // Unfiltered, every entry is shown: read just what the page needs.
    const size = Math.min(PAGE, r.scan - scanned, filtered ? PAGE : r.limit - jobs.length);
    const queue = r.queues[qi]!;
    const ids = await pageOf(env, r.state, queue, offset, size);
    const found = new Map((await readJobs(env, ids.map((id) => ({ id, queue })))).map((j) => [j.id, j]));
    let used = 0;
    for (const id of ids) {
      used++;
      const j = found.get(id);
      if (j && (!filtered || matches(j, r.filter, r.redactKeys))) jobs.push(summarize(j));
      if (jobs.length >= r.limit) break;
    }
    scanned += used;
    offset += used;
    if (ids.length < size && used === ids.length) {
      qi++;
      offset = 0;
    }
  }
  const total = await registrySizes(env, r.state, r.queues);
  return { jobs, scanned, total, filtered, nextCursor: qi < r.queues.length ? `${qi}:${offset}` : null };
}
