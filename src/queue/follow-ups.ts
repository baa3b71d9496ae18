/**
 * complete.lua's after-commit follow-ups (the jobs a running job enqueued, pushed when it
 * completes). On the installation layout every follow-up is on the job's tag: written in the
 * completion's script, as they always were. On a queue's own tag (issue 17) a follow-up of
 * another tag is written as an enqueue record (forward_lib.lua) atomic with the completion and
 * applied on its tag (follow_up_enqueue.lua, once); dependencies on other tags are read first
 * (dependencies-elsewhere.ts), a refused one rejected in the completion with its warn event.
 */
import type { QueueEnv } from "./context.js";
import type { DequeueOptions } from "./take.js";
import type { PreparedJob } from "./types.js";
import { encodeResult } from "./job-codec.js";
import { TRIM_BOUND } from "./job-scripts.js";
import { specJson } from "./push.js";
import { linkFieldsByTag, placeFollowUps, type PlacedJob } from "./dependencies-elsewhere.js";
import { applyForwardRecords } from "./forward-records.js";

/** What complete.lua is called for (lifecycle.ts CompleteInput). */
interface Completing {
  job: { id: string; queue: string };
  worker: string;
  result: unknown;
  followUps?: PreparedJob[];
}

/** The follow-ups as complete.lua reads them (see its header); the same specs on the installation layout. */
export type FollowUpSpecs = Array<PreparedJob | (PlacedJob & { forward?: true; refused?: unknown })>;

/** The queues complete.lua writes follow-up jobs to (listed by the caller: job-scripts.ts). */
export const followUpQueues = (o: Completing): string[] => (o.followUps ?? []).map((p) => p.queue);

/** The follow-ups placed: nothing read and nothing changed on the installation layout, or without follow-ups. */
export async function placeFollowUpSpecs(env: QueueEnv, o: Completing): Promise<FollowUpSpecs> {
  const followUps = o.followUps ?? [];
  if (env.keys.jobTags === "installation" || followUps.length === 0) return followUps;
  const tag = env.keys.jobTag(o.job.queue);
  return (await placeFollowUps(env, followUps)).map((p) => ("refused" in p || env.keys.jobTag(p.queue) === tag ? p : { ...p, forward: true as const }));
}

/** complete.lua's ARGV after the header and clock (see its header comment). */
export function completeArgs(env: QueueEnv, o: Completing, specs: FollowUpSpecs, take: DequeueOptions | undefined, queues: string[]): Array<string | number> {
  return [o.job.id, o.worker, encodeResult(o.result), env.retention.finished * 1000, TRIM_BOUND, take ? Math.round(take.leaseMs) : "", queues.length, ...queues, ...specs.map((p) => specJson(p))];
}

/**
 * After the completion, on a queue's own tag: its enqueue records (and the link records of its
 * follow-ups on its own tag waiting on another tag) applied at once, so the follow-ups are
 * enqueued when the completion returns, as on one tag. In order when a follow-up waits on
 * another of the same completion (that one must exist first); else together. A failure loses
 * nothing: the records stay for the workers' forwarder and sweep.
 */
export async function applyFollowUps(env: QueueEnv, o: Completing, specs: FollowUpSpecs, forwarded: readonly string[]): Promise<void> {
  if (env.keys.jobTags === "installation" || specs.length === 0) return;
  const tag = env.keys.jobTag(o.job.queue);
  const links = linkFieldsByTag(env, specs.filter((p) => !("forward" in p) && !("refused" in p))).get(tag) ?? [];
  const fields = [...forwarded, ...links];
  if (fields.length === 0) return;
  const ids = new Set(specs.map((p) => p.id));
  const chained = specs.some((p) => (p.dependsOn ?? []).some((d) => ids.has(d)));
  try {
    if (!chained) await applyForwardRecords(env, tag, fields);
    else for (const f of fields) await applyForwardRecords(env, tag, [f]);
  } catch {
    // the records stay: the workers' forwarder applies them
  }
}
