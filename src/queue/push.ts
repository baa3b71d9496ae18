/**
 * Writing prepared jobs: one enqueue.lua call per job tag for any number of them (a single
 * enqueue, a transaction commit), all-or-nothing per tag. On the installation layout every
 * queue is on one tag: one call, all-or-nothing.
 */
import { EnqueueError } from "../base/errors.js";
import { liveIdError, refusalError } from "./enqueue-refusals.js";
import { settledEnv, type QueueEnv } from "./context.js";
import { decodeJob } from "./job-codec.js";
import { runWritingJobScript } from "./job-scripts.js";
import { scriptResult } from "../redis/script-results.js";
import { awaitReplication } from "../redis/durability.js";
import type { Job, JobStatus, PreparedJob } from "./types.js";
import { groupByTag } from "../redis/tag-pipeline.js";
import { linkFieldsByTag, placeDependencies, dependencyOrder, type PlacedJob } from "./dependencies-elsewhere.js";
import { applyForwardRecords } from "./forward-records.js";
import { dropReplaced, idsHeldElsewhere } from "./ids-elsewhere.js";

export interface ScriptResult {
  ok: boolean;
  results?: Array<{ id: string; status?: JobStatus; dedup?: boolean; job?: string[] }> | Record<string, never>;
  error?: "live" | "unknown-dep" | "failed-dep";
  id?: string;
  /** The dependency an "unknown-dep"/"failed-dep" refusal names. */
  dep?: string;
  status?: string;
  guard?: "slot-taken" | "overlap" | "fenced";
  running?: string;
}

export type PushOutcome = { id: string; status: JobStatus; deduplicated: false } | { id: string; deduplicated: true; job: Job };

export interface Guard {
  task: string;
  slot: number;
  /** The leader lease number the caller holds: refused ("fenced") once another lease was granted. */
  fence?: number;
  /** Overlap policy (schedule_guard_lib.lua); default "skip". */
  overlap?: string;
  /** The job of the previous slot of the same batch (catch-up gap or backfill). */
  sibling?: string;
  mode?: "backfill";
  catchup?: boolean;
}

/** The JSON spec enqueue_lib.lua reads (same field names as PreparedJob). */
export function specJson(p: PreparedJob): string {
  return JSON.stringify(p);
}

/** enqueue.lua for jobs whose keys are all on `tag` (the installation's by default). */
export async function runEnqueueScript(env: QueueEnv, prepared: PreparedJob[], guard?: Guard, tag: string = env.keys.root): Promise<ScriptResult> {
  // the guard's records (last slots, last jobs, the fence, the task's runs and counters) are on
  // the call's tag, so the slot record stays atomic with the enqueue. Off the installation's tag
  // the fence hash is the tag's own (it cannot see the lease): it keeps the highest lease number
  // seen there, which only rises (fence_lib.lua fence_raise).
  const guardArg = !guard ? "" : JSON.stringify(tag !== env.keys.root && guard.fence !== undefined ? { ...guard, fenceRises: true } : guard);
  const extraKeys = guard ? [env.keys.lastSlots(tag), env.keys.lastJobs(tag), env.keys.schedulerFence(tag)] : [];
  const result = scriptResult.enqueue(await runWritingJobScript(env, "enqueue", prepared.map((p) => p.queue), [guardArg, ...prepared.map(specJson)], extraKeys, tag));
  // durability "replicated": the jobs and the slot record are on a replica before we answer.
  await awaitReplication(env.redis, env.keys.queues(), guard ? "scheduled enqueue" : "enqueue");
  return result as unknown as ScriptResult;
}

/**
 * Push prepared jobs in one atomic step per job tag (one step on the installation layout); a
 * reused live id (without deduplicate), an unknown dependency or an already failed one (without
 * allowFailure) refuses all of its tag. Jobs on several tags go as one call per tag, sent
 * together: when one tag's call is refused or fails after another's wrote its jobs, the error
 * is ENQUEUE_PARTIAL, naming the ids written.
 */
export async function pushPrepared(env: QueueEnv, prepared: PreparedJob[], createdAt?: number): Promise<PushOutcome[]> {
  if (prepared.length === 0) return [];
  await settledEnv(env); // a transaction's commit may be the first call of an app's process
  // a chosen id held on another queue's tag (nothing is read on the installation layout)
  const held = await idsHeldElsewhere(env, prepared);
  if (held.size === 0) return pushOnTags(env, prepared, createdAt);
  const out: PushOutcome[] = new Array(prepared.length);
  const rest: Array<{ p: PreparedJob; index: number }> = [];
  prepared.forEach((p, index) => {
    const there = held.get(p.id);
    if (!there?.live) return void rest.push({ p, index });
    // refused before anything is written, as enqueue.lua refuses its whole call
    if (!p.deduplicate) throw liveIdError(p.id, there.hash.status);
    out[index] = { id: p.id, deduplicated: true, job: decodeJob(there.hash, p.id) };
  });
  const pushed = await pushOnTags(env, rest.map((r) => r.p), createdAt);
  pushed.forEach((o, k) => (out[rest[k]!.index] = o));
  await dropReplaced(env, rest.flatMap(({ p }) => (held.has(p.id) ? [{ id: p.id, tag: held.get(p.id)!.tag }] : [])));
  return out;
}

async function pushOnTags(env: QueueEnv, prepared: PreparedJob[], createdAt?: number): Promise<PushOutcome[]> {
  if (prepared.length === 0) return [];
  // `createdAt`: the clock reading the jobs were built with (buildPrepared), sent as the script's
  // now, so a job queued at once has enqueuedAt = createdAt and the script stores only one of them.
  const on = createdAt === undefined ? env : { ...env, clock: () => createdAt };
  // dependencies on other tags are read and checked first (nothing on the installation layout)
  const placed = await placeDependencies(env, prepared);
  // the common case, every job on one tag (always on the installation layout): no grouping
  const first = env.keys.jobTag(placed[0]!.queue);
  if (placed.every((p) => env.keys.jobTag(p.queue) === first)) {
    const outcomes = pushedOutcomes(await pushOnTag(on, placed, first));
    await applyLinks(env, placed);
    return outcomes;
  }
  const groups = groupByTag(placed.map((p, index) => ({ p, index })), ({ p }) => env.keys.jobTag(p.queue));
  // a job depending on one written in the same call on another tag: that tag's call goes first,
  // and a refusal there stops the calls after it (its dependents are not written)
  const ids = new Set(placed.map((p) => p.id));
  const chained = placed.some((p) => Object.keys(p.elsewhere ?? {}).some((d) => ids.has(d)));
  const settled = chained ? await oneAfterAnother(dependencyOrder(env, groups), (g) => pushOnTag(on, g.items.map((i) => i.p), g.tag)) : await Promise.allSettled(groups.map(({ tag, items }) => pushOnTag(on, items.map((i) => i.p), tag)));
  const order = chained ? dependencyOrder(env, groups) : groups;
  const out: PushOutcome[] = new Array(placed.length);
  const written: string[] = [];
  let failure: unknown;
  settled.forEach((s, g) => {
    if (s === undefined) return;
    if (s.status === "rejected") return void (failure ??= s.reason);
    const outcomes = pushedOutcomes(s.value);
    order[g]!.items.forEach(({ index }, k) => (out[index] = outcomes[k]!));
    written.push(...outcomes.filter((o) => !o.deduplicated).map((o) => o.id));
  });
  await applyLinks(env, placed.filter((p) => written.includes(p.id)));
  if (failure === undefined) return out;
  if (written.length === 0) throw failure;
  throw new EnqueueError("ENQUEUE_PARTIAL", `enqueue: jobs of ${groups.length} queue tags: ${written.length} written (${written.join(", ")}), the rest not: ${failure instanceof Error ? failure.message : String(failure)}`, {
    hint: "jobs of several queues enqueued together are all-or-nothing per queue tag only; retry the ones not written (deduplicate: true keeps the written ones)",
    cause: failure,
  });
}

/** Run `step` for each item in order, stopping at the first failure (the rest: undefined). */
async function oneAfterAnother<T, R>(items: T[], step: (item: T) => Promise<R>): Promise<Array<PromiseSettledResult<R> | undefined>> {
  const out: Array<PromiseSettledResult<R> | undefined> = new Array(items.length).fill(undefined);
  for (let i = 0; i < items.length; i++) {
    try {
      out[i] = { status: "fulfilled", value: await step(items[i]!) };
    } catch (reason) {
      out[i] = { status: "rejected", reason };
      break;
    }
  }
  return out;
}

/**
 * Apply at once the link records the calls wrote (a dependent waiting on a job of another tag),
 * so the dependency knows its dependent before this returns. A failure here loses nothing: the
 * records stay, and the workers' sweep applies them (src/worker/supervisor/forwarder.ts).
 */
async function applyLinks(env: QueueEnv, placed: PlacedJob[]): Promise<void> {
  const byTag = linkFieldsByTag(env, placed);
  if (byTag.size === 0) return;
  await Promise.all([...byTag].map(([tag, fields]) => applyForwardRecords(env, tag, fields).catch(() => 0)));
}

/** One tag's enqueue.lua call; a refusal is thrown. */
async function pushOnTag(env: QueueEnv, prepared: PreparedJob[], tag: string): Promise<ScriptResult> {
  const res = await runEnqueueScript(env, prepared, undefined, tag);
  if (!res.ok) throw refusalError(res);
  return res;
}

function pushedOutcomes(res: ScriptResult): PushOutcome[] {
  const results = Array.isArray(res.results) ? res.results : [];
  return results.map((r) =>
    r.dedup ? { id: r.id, deduplicated: true as const, job: decodeJob(r.job ?? [], r.id) } : { id: r.id, status: r.status ?? "queued", deduplicated: false as const },
  );
}
