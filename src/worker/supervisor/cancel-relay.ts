/**
 * Canceling a running job, the supervisor's half. cancel() on a started job only flags it in
 * Redis (cancel.lua); the heartbeat that extends the job's lease reports the flag (heartbeat.lua),
 * and this relay then:
 *
 * 1. tells the child to abort the job's signal with a JobCanceledError: a task that listens
 *    (currentJob().signal) stops, and its child ends the job as canceled (run-job.ts,
 *    cancel_started.lua);
 * 2. after the grace period, if the job is still running on that worker (read in Redis, not from
 *    the pulses, which may be behind), kills the child, as a hard timeout does: the job ends
 *    canceled, the child's other jobs are requeued (exit-handling.ts).
 *
 * A job given back to its queue while flagged (its worker died or stopped) is canceled when next
 * taken instead of running again (dequeue_lib.lua).
 */
import type { QueueEnv } from "../../queue/context.js";
import type { ChildHandle } from "./child-handle.js";
import type { Logger } from "../../log/logger.js";
import { jobField } from "../../queue/job-fields.js";
import { readJobFields } from "../../queue/find-job.js";

/** How long a canceled job may take to stop on its signal before its child is killed. */
export const DEFAULT_CANCEL_GRACE_MS = 5000;

export class CancelRelay {
  /** Jobs told to stop, with the timer that checks on them after the grace period. */
  private readonly pending = new Map<string, { child: ChildHandle; timer: NodeJS.Timeout }>();

  constructor(private readonly o: { env: QueueEnv; log: Logger; graceMs: number }) {}

  /** The heartbeat found cancel requests for these jobs of `child`; each is relayed once. */
  request(child: ChildHandle, jobIds: string[]): void {
    for (const id of jobIds) {
      if (this.pending.has(id) || !child.alive) continue;
      this.o.log.info({ worker: child.name, jobId: id, graceMs: this.o.graceMs }, "job canceled while running: aborting its signal");
      child.cancelJob(id);
      const timer = setTimeout(() => void this.overdue(id), this.o.graceMs);
      timer.unref();
      this.pending.set(id, { child, timer });
    }
  }

  /** A child ended: its jobs need no more watching. */
  forgetChild(child: ChildHandle): void {
    for (const [id, p] of this.pending) {
      if (p.child !== child) continue;
      clearTimeout(p.timer);
      this.pending.delete(id);
    }
  }

  stop(): void {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
  }

  private async overdue(id: string): Promise<void> {
    const p = this.pending.get(id);
    this.pending.delete(id);
    if (!p || !p.child.alive) return;
    try {
      // by id alone: on whichever queue's tag the job is (find-job.ts)
      const [status, worker] = (await readJobFields(this.o.env, [id], [jobField.status, jobField.worker]))[0] ?? [];
      if (status !== "started" || worker !== p.child.name) return;
    } catch {
      return; // Redis unreachable: the next heartbeat reports the flag again
    }
    this.o.log.warn({ worker: p.child.name, childPid: p.child.pid, jobId: id, graceMs: this.o.graceMs }, "canceled job did not stop within the grace period: killing its worker");
    p.child.kill({ kind: "cancel", jobIds: [id] });
  }
}
