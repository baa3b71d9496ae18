/**
 * enqueue(method, options): frappe.enqueue for Node. One Redis round trip (enqueue.lua) per
 * job; `now`/isAsync false runs the task here instead; enqueueAfterCommit inside a unit of
 * work (transaction() or a running job) only collects the job (returned with status
 * "deferred": not in Redis yet). A job enqueued with `dependsOn` is also "deferred", but in Redis
 * (the deferred registry) until its dependencies finish; see src/redis/lua/deps_lib.lua.
 *
 * Job ids (RQ semantics): an id is taken while its job is queued, scheduled, deferred or
 * started. Reusing a taken id is an EnqueueError, or with `deduplicate` returns the live job
 * flagged `deduplicated: true` (decided inside the script, so concurrent callers make one job).
 * Reusing the id of a finished, failed or canceled job replaces that job and its history.
 */
import { EnqueueError } from "../base/errors.js";
import { currentScope, runAsJob } from "./work-scope.js";
import { activeContext, settledEnv, type QueueEnv } from "./context.js";
import { normalizeOptions, type EnqueueOptions } from "./options.js";
import { buildPrepared, checkKwargs, checkQueue, methodPath, type TaskMethod } from "./prepare.js";
import { pushPrepared } from "./push.js";
import type { KwargsCheck, TaskResult } from "./typed-options.js";
import type { Job } from "./types.js";
import { activeTraceparent, withEnqueueSpan } from "../telemetry/tracing.js";

type RunNow = { now: true } | { isAsync: false } | { is_async: false };

/**
 * Run now, in this process (Frappe's now=True / is_async=False): resolves to the task's result.
 * Flat form `{ queue, now: true, day: 1 }` or typed form `{ kwargs: { day: 1 }, now: true }`
 * (see src/queue/typed-options.ts).
 */
export function enqueue<M extends TaskMethod, O extends EnqueueOptions & RunNow>(method: M, options: O & KwargsCheck<M, O>): Promise<TaskResult<M>>;
/**
 * Enqueue: resolves to the job (id, queue, status; `deduplicated: true` when an existing job was
 * returned). With `kwargs` every other key must be an option, and a task function types `kwargs`.
 */
export function enqueue<M extends TaskMethod, O extends EnqueueOptions = EnqueueOptions>(method: M, options?: O & KwargsCheck<M, O>): Promise<Job>;
export async function enqueue(method: TaskMethod, options: EnqueueOptions = {}): Promise<unknown> {
  const env = activeContext();
  return enqueueWith(env, method, options);
}

/** enqueue() against an explicit env (the CLI, tests, several installations in one process). */
export async function enqueueWith(env: QueueEnv, method: TaskMethod, options: EnqueueOptions = {}): Promise<unknown> {
  const o = normalizeOptions(options);
  checkQueue(env, o.queue);
  checkKwargs(o.kwargs);
  if (o.runNow) return runNow(env, method, o);
  const path = await methodPath(env, method);
  if (o.onFailure !== undefined) await methodPath(env, o.onFailure); // a handler that cannot load is refused now, not at the failure
  // checked first: a refused enqueue writes nothing, not even a new prefix's layout marker
  await settledEnv(env);
  const { prepared, job } = buildPrepared(env, path, o);

  const scope = currentScope();
  if (o.afterCommit && scope) {
    // pushed with the unit of work's end: it continues the trace active now
    const tp = activeTraceparent();
    if (tp) prepared.fields.traceparent = tp;
    // Held until the unit of work succeeds; "deferred" says it is not in Redis yet.
    scope.afterCommit.push(prepared);
    return { ...job, status: "deferred" } satisfies Job;
  }
  const [outcome] = await withEnqueueSpan(o.queue, job.id, (tp) => {
    if (tp) prepared.fields.traceparent = tp;
    return pushPrepared(env, [prepared], job.createdAt);
  });
  if (!outcome) throw new EnqueueError("ENQUEUE_FAILED", `enqueue: Redis returned no result for job ${job.id}`);
  if (outcome.deduplicated) return { ...outcome.job, deduplicated: true };
  return { ...job, status: outcome.status };
}

async function runNow(env: QueueEnv, method: TaskMethod, o: ReturnType<typeof normalizeOptions>): Promise<unknown> {
  let fn: (kwargs: Record<string, unknown>) => unknown;
  let path: string;
  if (typeof method === "function") {
    fn = method;
    path = env.tasks?.pathOf(method) ?? (method.name || "anonymous");
  } else {
    path = await methodPath(env, method);
    if (!env.tasks) {
      throw new EnqueueError("NO_TASKS", `enqueue: cannot run ${path} now: no task registry in this process`, {
        hint: "pass the function itself, or configure({ tasks })",
      });
    }
    fn = await env.tasks.resolve(path);
  }
  await settledEnv(env);
  const { job } = buildPrepared(env, path, o);
  const outer = currentScope();
  const { result, followUps } = await runAsJob({ ...job, status: "started", attempt: 1 }, env, () => fn(o.kwargs));
  // Its after-commit jobs belong to the enclosing unit of work, if there is one.
  if (outer) outer.afterCommit.push(...followUps);
  else await pushPrepared(env, followUps);
  return result;
}
