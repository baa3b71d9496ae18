/**
 * From enqueue() input to a PreparedJob: resolve the method, pick the queue and timeout, check
 * kwargs survive JSON. Everything that can be refused is refused here, before Redis is touched.
 */
import { randomUUID } from "node:crypto";
import { EnqueueError, SchedulerError } from "../base/errors.js";
import { processState } from "../base/process-state.js";
import { currentScope } from "./work-scope.js";
import type { QueueEnv } from "./context.js";
import { encodeNewJob } from "./job-codec.js";
import { signHash } from "../security/signing.js";
import { jsonProblem } from "../base/json-safe.js";
import { checkKwargsSize, limits } from "../config/limits.js";
import type { NormalizedOptions } from "./options.js";
import type { Job, PreparedJob } from "./types.js";
import { isDottedPath } from "../tasks/dotted-path.js";
import { choosePartition } from "./partitions.js";
import { partitionCount } from "../config/partition-names.js";

// `any`: a task typed `({ batch }: { batch: string }) => ...` must be accepted as it is.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TaskMethod = string | ((kwargs: any) => unknown);

/** The dotted path of `method`, checked: shape always, resolution when a task table is set. */
export async function methodPath(env: QueueEnv, method: TaskMethod): Promise<string> {
  if (typeof method === "function") {
    const path = env.tasks?.pathOf(method) ?? processState().taskPaths.get(method);
    if (!path) {
      throw new EnqueueError("UNKNOWN_TASK", `enqueue: function ${method.name || "(anonymous)"} is not a task exported from a loaded app module`, {
        hint: "pass its dotted path, e.g. \"my_app.tasks.send_mail\"",
      });
    }
    return path;
  }
  if (!isDottedPath(method)) {
    throw new EnqueueError("BAD_METHOD", `enqueue: method ${typeof method === "string" ? JSON.stringify(method) : `of type ${method === null ? "null" : typeof method}`} is not a dotted path like "my_app.tasks.send_mail"`);
  }
  if (env.tasks) {
    try {
      await env.tasks.resolve(method);
    } catch (err) {
      const why = err instanceof SchedulerError ? err.message : (err as Error)?.message ?? String(err);
      throw new EnqueueError("UNKNOWN_TASK", `enqueue: ${method} does not resolve: ${why}`, {
        hint: err instanceof SchedulerError ? err.hint : undefined,
        cause: err,
      });
    }
  }
  return method;
}

export function checkQueue(env: QueueEnv, queue: string): void {
  // Own keys only: "toString" or "constructor" must not find Object.prototype's.
  if (!Object.prototype.hasOwnProperty.call(env.queues, queue)) {
    throw new EnqueueError("UNKNOWN_QUEUE", `enqueue: unknown queue "${queue}"; configured: ${Object.keys(env.queues).join(", ")}`, {
      hint: "add it under `queues` in hooks.ts",
    });
  }
}

export function checkKwargs(kwargs: Record<string, unknown>): void {
  const problem = jsonProblem(kwargs, "kwargs", limits().kwargsDepth);
  if (problem) throw new EnqueueError("BAD_KWARGS", `enqueue: ${problem}`);
}

export interface Prepared {
  prepared: PreparedJob;
  /** The job as it will be once written (status filled in by the caller). */
  job: Job;
}

/**
 * Build the job; extra fields (task, scheduledFor, catchup) come from the scheduler. `now`: its
 * createdAt (one clock reading for a bulk, passed on to pushPrepared).
 */
export function buildPrepared(env: QueueEnv, path: string, o: NormalizedOptions, extra: Partial<Job> = {}, now = env.clock()): Prepared {
  const id = o.jobId ?? randomUUID();
  const runAt = o.at ?? (o.delayMs !== undefined ? now + o.delayMs : undefined);
  const parent = currentScope()?.job;
  const parentId = parent?.id;
  const settings = env.queues[o.queue]!;
  // a partitioned queue's job is in one of its partitions, a queue of its own (partitions.ts)
  const queue = choosePartition(o.queue, {
    count: partitionCount(env.queues, o.queue),
    kwargs: o.kwargs,
    ...(o.partitionKey !== undefined ? { partitionKey: o.partitionKey } : {}),
    ...(o.jobId !== undefined ? { jobId: o.jobId } : {}),
    scheduled: extra.task !== undefined,
  });
  const job: Job = {
    id,
    method: path,
    queue,
    status: runAt !== undefined && runAt > now ? "scheduled" : "queued",
    kwargs: o.kwargs,
    timeout: o.timeout ?? settings.timeout,
    attempt: 0,
    createdAt: now,
    stalls: 0,
    retries: 0,
    ...(o.jobName !== undefined ? { jobName: o.jobName } : {}),
    ...((o.retry ?? settings.retry) ? { retry: o.retry ?? settings.retry } : {}),
    ...(parentId ? { parentId } : {}),
    ...(o.atFront ? { atFront: true } : {}),
    ...(runAt !== undefined && runAt > now ? { scheduledAt: runAt } : {}),
    ...(o.dependsOn.length > 0 ? { dependsOn: o.dependsOn } : {}),
    ...(o.allowFailure ? { allowFailure: true } : {}),
    ...(o.onFailure !== undefined ? { onFailure: o.onFailure } : {}),
    ...extra,
  };
  const fields = encodeNewJob(job);
  checkKwargsSize(fields.kwargs ?? "{}");
  if (env.signing) signHash(env.signing, id, fields, runAt !== undefined && runAt > now ? runAt : now);
  const prepared: PreparedJob = { id, queue, fields };
  if (runAt !== undefined) prepared.runAt = runAt;
  if (o.atFront) prepared.atFront = true;
  if (o.deduplicate) prepared.deduplicate = true;
  if (o.jobId !== undefined) prepared.named = true;
  if (o.dependsOn.length > 0) prepared.dependsOn = o.dependsOn;
  if (o.allowFailure) prepared.allowFailure = true;
  // a parent whose keys are on another tag is told of its child by a forward record (enqueue_lib)
  if (parent?.queue !== undefined && env.keys.jobTag(parent.queue) !== env.keys.jobTag(queue)) prepared.parentQueue = parent.queue;
  return { prepared, job };
}
