/**
 * The contract between the queue and the workers (python-rq's vocabulary). Every call that
 * changes state is one Lua script; see src/redis/lua/<name>.lua for the exact moves.
 *
 * Round trips per job on the hot path: dequeue 1 (+ the blocking wait when idle),
 * heartbeat 1 per beat for all of a worker's jobs, complete 1 (follow-ups included), fail 1.
 * In a backlog the completion also takes the next job (completeAndTake), and a worker running
 * several jobs at once completes a burst of them in one call (completeMany).
 */
import type { Redis } from "ioredis";
import type { QueueEnv } from "./context.js";
import { decodeJob, encodeResult, serializeError } from "./job-codec.js";
import { runJobScript, runWritingJobScript, TRIM_BOUND } from "./job-scripts.js";
import { listedQueuesByJobTag } from "./find-job.js";
import { allOnTag, orderQueues, sharedTag, takeInOrder, type DequeueOptions } from "./take.js";
import { groupByTag, readPerTag } from "../redis/tag-pipeline.js";
import { applyFollowUps, completeArgs, followUpQueues, placeFollowUpSpecs } from "./follow-ups.js";
import { nextRetryAt } from "./retry.js";
import type { AttemptRecord, Job, PreparedJob, SerializedError } from "./types.js";
import { recordJobEnd, type JobOutcomeKind } from "../telemetry/job-tally.js";
import { scriptResult } from "../redis/script-results.js";
import { applyOutcome, applyPendingForward } from "./forward-records.js";
import { activeTraceparent } from "../telemetry/tracing.js";

export type { DequeueOptions } from "./take.js";

/**
 * Lease the first job of the first non-empty queue (in order; round_robin rotates the start):
 * one call per run of queues on one job tag (take.ts), one call on the installation layout.
 */
export async function dequeue(env: QueueEnv, o: DequeueOptions): Promise<Job | null> {
  if (o.queues.length === 0) return null;
  return takeInOrder(env, o, orderQueues(o));
}

/**
 * Block until work may be there: BLPOP on the queues' wake lists. Each enqueue/promotion/
 * requeue pushes one marker, so N jobs wake N idle workers; dequeue trims markers to the queue
 * length, so they never pile up. Use a dedicated connection (it blocks). True when woken.
 */
export async function waitForJobs(blockingRedis: Redis, env: QueueEnv, queues: string[], timeoutSeconds: number): Promise<boolean> {
  if (queues.length === 0) return false;
  const res = await blockingRedis.blpop(...queues.map((q) => env.keys.wake(q)), timeoutSeconds);
  return res !== null;
}

/**
 * waitForJobs and a dequeue in one round trip: the dequeue (dequeue_woken.lua) is written on the
 * blocking connection right behind the BLPOP, and Redis runs it the moment the wait ends (a
 * blocked client's next command waits in its input buffer), so a wake-up arrives with the job
 * leased instead of sending a dequeue after it. It runs on a timeout too (job: null when nothing
 * is queued). Waits on the wake lists of o.queues, which must share one job tag (sharedTag in
 * take.ts; over several tags the caller waits on each: src/worker/child/wake-waits.ts). A job in
 * the answer is this worker's even when the BLPOP itself failed, so the dequeue's answer is what
 * counts; either error is thrown only when no job came back.
 */
export async function waitAndDequeue(blockingRedis: Redis, env: QueueEnv, o: DequeueOptions, timeoutSeconds: number): Promise<{ woken: boolean; job: Job | null }> {
  if (o.queues.length === 0) return { woken: false, job: null };
  const tag = sharedTag(env.keys, o.queues);
  if (tag === undefined) throw new Error(`waitAndDequeue: the queues ${o.queues.join(", ")} are on several job tags; one BLPOP cannot wait on them`);
  const wait = blockingRedis.blpop(...o.queues.map((q) => env.keys.wake(q)), timeoutSeconds);
  // Sent now, before the BLPOP's answer: the same connection, so it runs after it.
  const take = runJobScript({ ...env, redis: blockingRedis }, "dequeue_woken", [o.worker, Math.round(o.leaseMs), ...orderQueues(o)], [], tag);
  const [woken, taken] = await Promise.allSettled([wait, take]);
  if (taken.status === "fulfilled") {
    const raw = scriptResult.dequeue_woken(taken.value);
    const job = raw ? decodeJob(raw) : null;
    if (job || woken.status === "fulfilled") return { woken: woken.status === "fulfilled" && woken.value !== null, job };
  }
  throw woken.status === "rejected" ? woken.reason : (taken as PromiseRejectedResult).reason;
}

/**
 * Extend the leases of the jobs this worker runs (jobs it no longer owns are left alone), and
 * learn which of them someone asked to cancel (cancel() on a started job only flags it).
 */
export async function heartbeat(
  env: QueueEnv,
  o: { worker: string; jobs: Array<{ id: string; queue: string }>; leaseMs: number },
): Promise<{ extended: number; cancelRequested: string[]; leaseLost: string[] }> {
  if (o.jobs.length === 0) return { extended: 0, cancelRequested: [], leaseLost: [] };
  // one call per job tag, sent together (a script keeps to one tag; one call on the installation layout)
  const answers = await Promise.all(
    groupByTag(o.jobs, (j) => env.keys.jobTag(j.queue)).map(async ({ tag, items: jobs }) =>
      scriptResult.heartbeat(await runJobScript(env, "heartbeat", [o.worker, Math.round(o.leaseMs), ...jobs.flatMap((j) => [j.id, j.queue])], [], tag)),
    ),
  );
  return {
    extended: answers.reduce((n, a) => n + a.extended, 0),
    cancelRequested: answers.flatMap((a) => a.cancelRequested),
    leaseLost: answers.flatMap((a) => a.leaseLost),
  };
}

/**
 * End a started job as canceled, for the worker holding it, once a cancel request stopped it
 * (cancel_started.lua): no retry, no failure handlers. `how` says how it stopped.
 */
export async function cancelStarted(env: QueueEnv, o: { job: { id: string; queue?: string; method?: string }; worker: string; how: string }): Promise<"canceled" | "lease-lost"> {
  const tag = o.job.queue === undefined ? env.keys.root : env.keys.jobTag(o.job.queue);
  const outcome = scriptResult.cancel_started(await runJobScript(env, "cancel_started", [o.job.id, o.worker, env.retention.failed * 1000, o.how], [], tag));
  if (outcome === "canceled" && o.job.queue !== undefined && o.job.method !== undefined) recordJobEnd(env.clock(), { queue: o.job.queue, method: o.job.method }, ["canceled"], false);
  return outcome;
}

/** Finish a job and push its after-commit follow-ups in the same script. */
export async function completeJob(env: QueueEnv, o: CompleteInput): Promise<"finished" | "lease-lost"> {
  const specs = await placeFollowUpSpecs(env, o);
  const c = scriptResult.complete(await runWritingJobScript(env, "complete", followUpQueues(o), completeArgs(env, o, specs, undefined, []), [], env.keys.jobTag(o.job.queue)));
  if (c.outcome === "finished") recordJobEnd(env.clock(), o.job, COMPLETED, true);
  if (c.outcome === "finished") await applyFollowUps(env, o, specs, c.forwarded);
  return c.outcome;
}

const COMPLETED: readonly JobOutcomeKind[] = ["completed"];

/**
 * completeJob, and lease the worker's next job in the same script call (BullMQ's
 * moveToFinished does the same): in a backlog one job costs one round trip and one script. Only
 * when every queue to take from is on the job's tag: else the completion, then a dequeue.
 */
export async function completeAndTake(env: QueueEnv, o: CompleteInput, take: DequeueOptions): Promise<{ outcome: "finished" | "lease-lost"; next: Job | null }> {
  if (take.queues.length === 0) return { outcome: await completeJob(env, o), next: null };
  const tag = env.keys.jobTag(o.job.queue);
  const queues = orderQueues(take);
  if (!allOnTag(env.keys, queues, tag)) {
    const outcome = await completeJob(env, o);
    return { outcome, next: await takeInOrder(env, take, queues) };
  }
  const specs = await placeFollowUpSpecs(env, o);
  const { completion, next } = scriptResult.completeAndTake(await runWritingJobScript(env, "complete", followUpQueues(o), completeArgs(env, o, specs, take, queues), [], tag));
  const outcome = completion.outcome;
  if (outcome === "finished") recordJobEnd(env.clock(), o.job, COMPLETED, true);
  if (completion.outcome === "finished") await applyFollowUps(env, o, specs, completion.forwarded);
  return { outcome, next: next ? decodeJob(next) : null };
}

export interface CompleteManyInput {
  worker: string;
  /** Completions of this worker's jobs, without follow-ups (those go through completeJob). */
  items: Array<{ job: Job; result: unknown }>;
  /** Take up to `count` next jobs in the same call. */
  take?: { options: DequeueOptions; count: number };
}

/**
 * Several completions of one worker, and up to take.count next leases, in one script call
 * (complete_many.lua): a worker running many jobs at once pays one round trip and one script
 * for the completions of one moment (one call per job tag, sent together). The next jobs are
 * taken by the call of the tag all queues to take from are on; when none is, by dequeues after
 * the completions. outcomes[i] is items[i]'s; next holds the jobs taken.
 */
export async function completeMany(env: QueueEnv, o: CompleteManyInput): Promise<{ outcomes: Array<"finished" | "lease-lost">; next: Job[] }> {
  const take = o.take && o.take.count > 0 && o.take.options.queues.length > 0 ? o.take : undefined;
  const queues = take ? orderQueues(take.options) : [];
  const groups = groupByTag(o.items.map((item, index) => ({ item, index })), ({ item }) => env.keys.jobTag(item.job.queue));
  const takeTag = take ? sharedTag(env.keys, queues) : undefined;
  const takenInCall = takeTag !== undefined && groups.some((g) => g.tag === takeTag);
  const outcomes: Array<"finished" | "lease-lost"> = new Array(o.items.length);
  const next: Job[] = [];
  await Promise.all(
    groups.map(async ({ tag, items }) => {
      const takes = takenInCall && tag === takeTag;
      const args: Array<string | number> = [o.worker, env.retention.finished * 1000, TRIM_BOUND, takes ? Math.round(take!.options.leaseMs) : 0, takes ? take!.count : 0, takes ? queues.length : 0, ...(takes ? queues : [])];
      for (const { item } of items) args.push(item.job.id, encodeResult(item.result));
      const res = scriptResult.complete_many(await runJobScript(env, "complete_many", args, [], tag));
      items.forEach(({ index }, k) => (outcomes[index] = res.outcomes[k] ?? "lease-lost"));
      if (takes) next.push(...res.taken.map((h) => decodeJob(h)));
    }),
  );
  // the queues span several tags, or none of the completions is on theirs: dequeue after
  for (let i = 0; take && !takenInCall && i < take.count; i++) {
    const job = await takeInOrder(env, take.options, queues);
    if (!job) break;
    next.push(job);
  }
  const now = env.clock();
  o.items.forEach((item, i) => {
    if (outcomes[i] === "finished") recordJobEnd(now, item.job, COMPLETED, true);
  });
  return { outcomes, next };
}

export interface CompleteInput {
  job: Job;
  worker: string;
  result: unknown;
  followUps?: PreparedJob[];
}

export interface FailJobInput {
  job: Job;
  worker: string;
  error: unknown;
  reason?: "error" | "timeout" | "abandoned";
}

/**
 * What failure handlers get (src/patterns/notify.ts JobFailure, plus the attempt history): the
 * job as stored once failed, the final error, and how many attempts were made.
 */
export interface FinalFailure {
  job: Job;
  error: SerializedError;
  /** Attempts made, the failing one included. */
  attempts: number;
  /** The attempt records, oldest first (capped at ATTEMPTS_KEPT). */
  history: AttemptRecord[];
  /** Deferred jobs canceled because this one failed (first CASCADE_BOUND of them). */
  canceledDependents: string[];
  /** The pause note when this failure paused the job's schedule (entry option pauseOnFailure). */
  schedulePaused?: string;
}

export type FailJobResult =
  | { outcome: "retry-scheduled" | "lease-lost" }
  | { outcome: "failed"; failure: FinalFailure };

/**
 * End an attempt with an error: schedule the retry (RetryPolicy on the job) or fail for good.
 * Outcome "failed" comes with the final failure record, read in the same script: exactly one
 * caller gets it per final failure, so that caller runs the failure handlers.
 */
export async function failJobDetailed(env: QueueEnv, o: FailJobInput): Promise<FailJobResult> {
  const outcome = o.reason === "timeout" ? "timeout" : o.reason === "abandoned" ? "abandoned" : "failed";
  const error = serializeError(o.error);
  const retryAt = nextRetryAt(o.job, o.error, env.clock());
  // a retry links its run span to the first run (src/telemetry/tracing.ts)
  const traceparent = retryAt === undefined ? "" : (activeTraceparent() ?? "");
  const res = scriptResult.fail(await runJobScript(env, "fail", [o.job.id, o.worker, JSON.stringify(error), outcome, retryAt ?? "", env.retention.failed * 1000, TRIM_BOUND, traceparent], [], env.keys.jobTag(o.job.queue)));
  // on a queue's own tag the schedule's state is written by an outcome record: applied now, for the handlers' pause note
  const paused = res.outcome === "failed" && res.outcomeRecord ? await applyOutcome(env, env.keys.jobTag(o.job.queue), ...res.outcomeRecord).catch(() => undefined) : undefined;
  if (res.outcome !== "lease-lost") recordJobEnd(env.clock(), o.job, failOutcomes(res.outcome, o.reason), o.reason !== "abandoned");
  if (res.outcome !== "failed") return { outcome: res.outcome };
  const job = decodeJob(res.job, o.job.id);
  const history = res.attempts.map((r) => JSON.parse(r) as AttemptRecord);
  return {
    outcome: "failed",
    failure: {
      job,
      error: job.error ?? error,
      attempts: job.attempt,
      history,
      canceledDependents: res.canceled,
      ...((res.schedulePaused ?? paused) !== undefined ? { schedulePaused: (res.schedulePaused ?? paused)! } : {}),
    },
  };
}

/** The counters one failed attempt moves: failed or retried, and why when it was not an error. */
function failOutcomes(outcome: "failed" | "retry-scheduled", reason: FailJobInput["reason"]): JobOutcomeKind[] {
  const kinds: JobOutcomeKind[] = [outcome === "failed" ? "failed" : "retried"];
  if (reason === "timeout") kinds.push("timed_out");
  else if (reason === "abandoned") kinds.push("abandoned");
  return kinds;
}

/** failJobDetailed's outcome only (for callers that do not run failure handlers). */
export async function failJob(env: QueueEnv, o: FailJobInput): Promise<"retry-scheduled" | "failed" | "lease-lost"> {
  return (await failJobDetailed(env, o)).outcome;
}

/** Give a started job back to the FRONT of its queue (shutdown, killed sibling). */
export async function requeueJob(env: QueueEnv, o: { job: Job; worker: string; reason: string }): Promise<boolean> {
  return scriptResult.requeue_job(await runJobScript(env, "requeue_job", [o.job.id, o.worker, o.reason], [], env.keys.jobTag(o.job.queue)));
}

/** Reap at most this many expired leases per queue per call. */
const REAP_BATCH = 100;
const ABANDONED: readonly JobOutcomeKind[] = ["failed", "abandoned"];

/**
 * Started jobs whose lease expired: requeue (stalls+1) or, past stallLimit, fail as abandoned.
 * `causes`: why the worker of a job died, when the caller knows (added to its reason).
 * Reads candidates (2 round trips), then one script per job tag re-checks each, so concurrent reapers are safe.
 */
export async function reapStalled(
  env: QueueEnv,
  o: {
    stallLimit: number;
    causes?: Map<string, string>;
    /** Only these jobs (a supervisor handling its own dead child), not every expired lease. */
    only?: Array<{ id: string; queue: string }>;
  },
): Promise<{ requeued: string[]; failed: string[] }> {
  const now = env.clock();
  const causeOf = (id: string) => {
    const cause = o.causes?.get(id);
    return cause ? { cause } : {};
  };
  if (o.only) {
    // reap.lua checks each lease's expiry itself; the caller just ended these leases.
    const at = new Date(now).toISOString();
    return reapPerTag(env, o.stallLimit, o.only.map(({ id, queue }) => ({ queue, listed: JSON.stringify({ id, queue, at, ...causeOf(id) }) })), now);
  }
  const queues = await env.redis.smembers(env.keys.queues());
  // the started registries of every listed queue: one pipeline per job tag, sent together
  const replies = await readPerTag(env.redis, queues, (q) => env.keys.jobTag(q), (pipe, q) => pipe.zrangebyscore(env.keys.started(q), "-inf", now, "WITHSCORES", "LIMIT", 0, REAP_BATCH));
  const candidates: Array<{ queue: string; listed: string }> = [];
  replies.forEach(([rows], i) => {
    const list = rows as string[];
    for (let k = 0; k + 1 < list.length; k += 2) {
      candidates.push({ queue: queues[i]!, listed: JSON.stringify({ id: list[k], queue: queues[i], at: new Date(Number(list[k + 1])).toISOString(), ...causeOf(list[k]!) }) });
    }
  });
  return reapPerTag(env, o.stallLimit, candidates, now);
}

/** reap.lua for the candidates, one call per job tag, sent together; the answers merged. */
async function reapPerTag(env: QueueEnv, stallLimit: number, candidates: Array<{ queue: string; listed: string }>, now: number): Promise<{ requeued: string[]; failed: string[] }> {
  const answers = await Promise.all(
    groupByTag(candidates, (c) => env.keys.jobTag(c.queue)).map(async ({ tag, items }) => {
      const a = scriptResult.reap(await runJobScript(env, "reap", [stallLimit, env.retention.failed * 1000, ...items.map((c) => c.listed)], [], tag));
      // what a failure wrote for other tags (outcome, settle records) applied before the caller reads the failures
      if (a.failed.length > 0) await applyPendingForward(env, tag);
      return a;
    }),
  );
  for (const { queue, method } of answers.flatMap((a) => a.abandoned)) recordJobEnd(now, { queue, method }, ABANDONED, false);
  return { requeued: answers.flatMap((a) => a.requeued), failed: answers.flatMap((a) => a.failed) };
}

/**
 * Move due scheduled jobs (delay/at, retries) to their queues; each exactly once. The queues
 * set (an installation key) is read here, not in the script, and the queues go to one call per
 * job tag, all sent together (issue 17: a script keeps to one tag; one call today).
 */
export async function promoteScheduled(env: QueueEnv, o: { limit?: number } = {}): Promise<number> {
  const groups = await listedQueuesByJobTag(env);
  const counts = await Promise.all(groups.map(async ({ tag, items: queues }) => scriptResult.promote(await runJobScript(env, "promote", [o.limit ?? 1000, ...queues], [], tag))));
  return counts.reduce((a, b) => a + b, 0);
}
