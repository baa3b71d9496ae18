/**
 * enqueueMany(items): many jobs in ONE enqueue.lua call (BullMQ's addBulk, RQ's enqueue_many).
 * Every item is checked first (queue, kwargs, method), so a bad one refuses the whole list
 * before Redis is touched; the script then writes all of them or none (a live id without
 * deduplicate, an unknown dependency). Results come back in the order of `items`.
 *
 * The script holds Redis while it runs (roughly 15-30 µs per job): callers with tens of
 * thousands of jobs should pass them in slices of a few thousand.
 */
import { EnqueueError } from "../base/errors.js";
import { currentScope } from "./work-scope.js";
import { activeContext, settledEnv, type QueueEnv } from "./context.js";
import { normalizeOptions, type EnqueueOptions } from "./options.js";
import { buildPrepared, checkKwargs, checkQueue, methodPath, type TaskMethod } from "./prepare.js";
import { pushPrepared } from "./push.js";
import type { Job, PreparedJob } from "./types.js";

export interface EnqueueManyItem {
  method: TaskMethod;
  /** The options enqueue() takes, except now / isAsync (a bulk enqueue never runs in-process). */
  options?: EnqueueOptions;
}

/** Enqueue every item with the active env: resolves to the jobs, in the order of `items`. */
export function enqueueMany(items: readonly EnqueueManyItem[]): Promise<Job[]> {
  return enqueueManyWith(activeContext(), items);
}

/** enqueueMany() against an explicit env. */
export async function enqueueManyWith(env: QueueEnv, items: readonly EnqueueManyItem[]): Promise<Job[]> {
  if (!Array.isArray(items)) throw new EnqueueError("BAD_ARGUMENT", `enqueueMany: items must be an array of { method, options }, got ${typeof items}`);
  const scope = currentScope();
  const jobs: Job[] = [];
  const pushed: Array<{ at: number; prepared: PreparedJob }> = [];
  // Paths are resolved once per distinct method (a bulk is usually one task many times).
  const paths = new Map<TaskMethod, string>();
  // one clock reading for the whole call: every job's createdAt and the script's now
  const now = env.clock();
  // every item checked before anything is written (the layout marker of a new prefix included)
  const checked: Array<{ o: ReturnType<typeof normalizeOptions>; path: string }> = [];
  for (const [i, item] of items.entries()) {
    const where = `enqueueMany: item ${i}`;
    if (item === null || typeof item !== "object") throw new EnqueueError("BAD_ARGUMENT", `${where} must be { method, options }, got ${JSON.stringify(item)}`);
    const o = normalizeOptions(item.options ?? {});
    if (o.runNow) throw new EnqueueError("BAD_ARGUMENT", `${where}: now / isAsync: false is not supported in a bulk enqueue`, { hint: "call enqueue() for jobs to run in this process" });
    try {
      checkQueue(env, o.queue);
      checkKwargs(o.kwargs);
    } catch (err) {
      throw err instanceof EnqueueError ? new EnqueueError(err.code, `${where}: ${err.message}`, { hint: err.hint, cause: err }) : err;
    }
    let path = paths.get(item.method);
    if (path === undefined) {
      path = await methodPath(env, item.method);
      paths.set(item.method, path);
    }
    checked.push({ o, path });
  }
  await settledEnv(env);
  for (const { o, path } of checked) {
    const { prepared, job } = buildPrepared(env, path, o, {}, now);
    if (o.afterCommit && scope) {
      // Held until the unit of work succeeds, as enqueue() does.
      scope.afterCommit.push(prepared);
      jobs.push({ ...job, status: "deferred" });
    } else {
      pushed.push({ at: jobs.length, prepared });
      jobs.push(job);
    }
  }
  const outcomes = await pushPrepared(
    env,
    pushed.map((p) => p.prepared),
    now,
  );
  outcomes.forEach((outcome, k) => {
    const at = pushed[k]!.at;
    jobs[at] = outcome.deduplicated ? { ...outcome.job, deduplicated: true } : { ...jobs[at]!, status: outcome.status };
  });
  return jobs;
}
