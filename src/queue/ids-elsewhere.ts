/**
 * A job id the caller chose (jobId, or jobName with deduplicate), on the per-queue layout
 * (issue 17): enqueue.lua sees an id on its queue's tag only, so the same id on another queue's
 * tag is read first: one HGETALL per such id on every other known tag, one pipeline per tag.
 * Generated ids are not read (a random UUID cannot collide), and on the installation layout
 * every queue is on one tag, so neither pays a round trip.
 *
 * What is found there is treated as enqueue.lua treats it on one tag: a live job refuses the
 * enqueue (JOB_ID_TAKEN), or with deduplicate is the answer; an ended one (finished, failed,
 * canceled) is replaced: once the new job is written, the old record is dropped on its tag
 * (replaced_job_drop.lua, which keeps a job live there again by then).
 *
 * The read and the enqueue are two steps on two tags, so two callers enqueueing one new id to
 * two queues at the same moment can both succeed; on one queue (one tag) the check is atomic
 * and an id is never held twice (docs/architecture.md, "Job ids on the per-queue layout").
 */
import type { QueueEnv } from "./context.js";
import type { PreparedJob } from "./types.js";
import { isJobHash } from "./job-codec.js";
import { jobTagsToProbe } from "./find-job.js";
import { runJobScript } from "./job-scripts.js";
import { scriptResult } from "../redis/script-results.js";
import { applyPendingForward } from "./forward-records.js";

const LIVE = new Set(["queued", "scheduled", "deferred", "started"]);

/** A job holding an id on another tag than the one an enqueue writes it to. */
export interface IdHeldElsewhere {
  tag: string;
  hash: Record<string, string>;
  live: boolean;
}

/** The named ids of `prepared` held on another tag, by id (a live holder before an ended one). */
export async function idsHeldElsewhere(env: Pick<QueueEnv, "redis" | "keys" | "queues">, prepared: readonly PreparedJob[]): Promise<Map<string, IdHeldElsewhere>> {
  const held = new Map<string, IdHeldElsewhere>();
  if (env.keys.jobTags === "installation") return held;
  const named = prepared.filter((p) => p.named);
  if (named.length === 0) return held;
  const tags = await jobTagsToProbe(env);
  const answers = await Promise.all(
    tags.map(async (tag) => {
      const asked = named.filter((p) => env.keys.jobTag(p.queue) !== tag);
      if (asked.length === 0) return [];
      const pipe = env.redis.pipeline();
      for (const p of asked) pipe.hgetall(env.keys.job(p.id, tag));
      const replies = (await pipe.exec()) ?? [];
      return asked.map((p, i) => {
        const [err, hash] = replies[i] ?? [new Error("no reply")];
        if (err) throw err;
        return { id: p.id, tag, hash: hash as Record<string, string> };
      });
    }),
  );
  for (const { id, tag, hash } of answers.flat()) {
    if (!isJobHash(hash)) continue;
    const live = LIVE.has(hash.status ?? "");
    const before = held.get(id);
    if (!before || (live && !before.live)) held.set(id, { tag, hash, live });
  }
  return held;
}

/**
 * Drop the ended records that the jobs just written replaced (ids held on another tag). A failed
 * drop is left to the retention: the old record expires, and a lookup by id takes the newer job.
 */
export async function dropReplaced(env: QueueEnv, replaced: ReadonlyArray<{ id: string; tag: string }>): Promise<void> {
  await Promise.all(
    replaced.map(async ({ id, tag }) => {
      try {
        scriptResult.replaced_job_drop(await runJobScript(env, "replaced_job_drop", [id], [], tag));
        // the dependents it left unsettled on other tags are settled now, as on one tag
        await applyPendingForward(env, tag);
      } catch {
        // kept until its retention ends (see above)
      }
    }),
  );
}
