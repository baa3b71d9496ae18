/**
 * Overlap policies (hooks entry `overlap`): what a slot does while the task's previous run is
 * still queued or running. The decision is made in the enqueue script
 * (src/redis/lua/schedule_guard_lib.lua), atomically with the slot record; cancelOther's cancel
 * is src/queue/enqueue-scheduled.ts. The policies:
 *   skip        the slot is skipped and recorded (overlap) in the ledger (the default)
 *   bufferOne   the run waits for the running one (a dependency); a slot that finds a run
 *               already waiting is skipped, so at most one waits
 *   bufferAll   every run waits for the one before it, in slot order
 *   cancelOther the live run is canceled (just before the enqueue), then the new one starts
 *   allow       runs start regardless of each other
 * A batch (the slots of one catch-up gap, or of one backfill) obeys the policy as one: its
 * slots do not overlap each other; under the buffers they run one after the other.
 */
export const OVERLAP_POLICIES = ["skip", "bufferOne", "bufferAll", "cancelOther", "allow"] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];
