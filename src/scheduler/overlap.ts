/**
 * Overlap policies (hooks entry `overlap`): what a slot does while the task's previous run is
 * still queued or running. The decision is made in the enqueue script
 * (src/redis/lua/schedule_guard_lib.lua), atomically with the slot record:
 *   skip        the slot is skipped and recorded (overlap) in the ledger (the default)
 *   bufferOne   the run waits for the running one (a dependency); a slot that finds a run
 *               already waiting is skipped, so at most one waits
 *   bufferAll   every run waits for the one before it, in slot order
 *   cancelOther the live run is canceled (here, just before the enqueue), then the new one starts
 *   allow       runs start regardless of each other
 * A batch (the slots of one catch-up gap, or of one backfill) obeys the policy as one: its
 * slots do not overlap each other; under the buffers they run one after the other.
 */
import type { QueueEnv } from "../queue/context.js";
import { cancel } from "../queue/registry.js";
import { jobField } from "../queue/job-fields.js";

const LIVE = new Set(["queued", "scheduled", "deferred", "started"]);

/** cancelOther: cancel the task's live job unless it belongs to the same batch. */
export async function cancelOverlapping(env: QueueEnv, task: string, sibling: string | undefined): Promise<string | undefined> {
  const id = await env.redis.hget(env.keys.lastJobs(), task);
  if (!id || id === sibling) return undefined;
  const status = await env.redis.hget(env.keys.job(id), jobField.status);
  if (!status || !LIVE.has(status)) return undefined;
  try {
    await cancel(id, env);
    return id;
  } catch {
    // it ended between the read and the cancel: nothing to cancel
    return undefined;
  }
}
