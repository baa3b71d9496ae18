/**
 * The supervisor's answer to a child process that ended: whether its slot gets a new child
 * (restart-policy.ts), then what becomes of its jobs (recovery.ts). The slot is dealt with
 * first, so a Redis error while recovering jobs cannot leave a slot empty; jobs a failed
 * recovery missed keep their lease until it lapses, and the reaper handles them then.
 *
 * | why it ended                        | its jobs                                  | slot            |
 * |-------------------------------------|-------------------------------------------|-----------------|
 * | killed at a job's hard deadline     | that job fails (timeout), others requeued | replaced now    |
 * | killed: a canceled job kept running | that job canceled, others requeued        | replaced now    |
 * | killed by a forced stop             | requeued to the front                     | left empty      |
 * | exited 0 after stop / burst drain   | none left (any stragglers requeued)       | left empty      |
 * | anything else: a crash              | abandoned: requeued with a stall, or failed past the stall limit | restarted with backoff, or the group gives up |
 */
import { recordWorkerRestart } from "../../telemetry/process-counters.js";
import type { Clock } from "../../base/clock.js";
import type { QueueEnv } from "../../queue/context.js";
import type { ChildExit, ChildHandle, InFlightJob } from "./child-handle.js";
import { abandon, failTimedOut, requeueJobs } from "../recovery.js";
import { cancelStarted } from "../../queue/lifecycle.js";
import { deathCause } from "./death-cause.js";
import type { FailureHandlers } from "../failure-handlers.js";
import type { JobLines } from "./job-lines.js";
import type { Slot } from "./slot-pool.js";
import type { WorkerEvents } from "./worker-events.js";
import type { Logger } from "../../log/logger.js";

/**
 * What the exit handling needs from its supervisor: where to record and report, and the two
 * things it may do to a slot (give it a new child; nothing else). The supervisor builds one.
 */
export interface ExitHost {
  env: QueueEnv;
  clock: Clock;
  log: Logger;
  events: WorkerEvents;
  failures: FailureHandlers;
  jobLines: JobLines | undefined;
  /** Times a job may be found abandoned and requeued before it fails. */
  stallLimit: number;
  /** A child that dies this soon after it was ready counts as unstable (for the give-up message). */
  unstableMs: number;
  /** A stop is under way: a crashed child is not restarted. */
  stopping(): boolean;
  /** Give `slot` a new child: now (0) or after a backoff. */
  restart(slot: Slot, delayMs: number): void;
  /** Drop the worker record of an ended child. */
  forget(worker: string): Promise<void>;
}

export async function onChildExit(sup: ExitHost, slot: Slot, child: ChildHandle, exit: ChildExit): Promise<void> {
  const worker = child.name;
  const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
  const clean = exit.cause.kind === "exit" && exit.code === 0 && (exit.stopRequested || exit.drained);
  const crashed = exit.cause.kind === "exit" && !clean;

  if ((exit.cause.kind === "timeout" || exit.cause.kind === "cancel") && !slot.retiring) {
    const after = exit.cause.kind === "timeout" ? "a hard timeout" : "killing a canceled job";
    sup.events.emit("child.restarted", "info", `worker ${worker} replaced after ${after}`, { worker, data: { reason: exit.cause.kind } });
    recordWorkerRestart(slot.group.spec.name, exit.cause.kind);
    sup.restart(slot, 0);
  } else if (crashed) {
    sup.log.error(
      { worker, childPid: child.pid, exit: how, livedMs: exit.livedMs, fatal: exit.fatal, running: exit.inFlight.map((j) => j.id) },
      exit.fatal ? `worker could not start: ${exit.fatal}` : `worker died unexpectedly (${how})`,
    );
    if (!sup.stopping() && !slot.retiring) restartAfterCrash(sup, slot, worker, exit);
  }

  try {
    exit.inFlight = await leasesAtExit(child, exit.inFlight);
    if (exit.cause.kind === "timeout") await timedOut(sup, worker, exit.inFlight, exit.cause.jobIds);
    else if (exit.cause.kind === "cancel") await canceledKilled(sup, worker, exit.inFlight, exit.cause.jobIds);
    else if (exit.cause.kind === "shutdown") await forcedStop(sup, worker, exit.inFlight);
    else if (clean) await stopped(sup, worker, exit);
    else await crashedJobs(sup, worker, how, exit);
  } finally {
    await sup.forget(worker);
  }
}

/**
 * The child's last pulse may be behind: a job started after it, or ended after it. Its leases
 * in Redis are exact, so they decide which jobs were in flight; the pulse picture is the
 * fallback when Redis cannot be read (the reaper then deals with what it missed).
 */
async function leasesAtExit(child: ChildHandle, pulsed: InFlightJob[]): Promise<InFlightJob[]> {
  try {
    const leased = await child.leasedNow();
    if (!leased) return pulsed;
    return leased.map((j) => ({ ...j, timer: undefined }));
  } catch {
    return pulsed;
  }
}

async function timedOut(sup: ExitHost, worker: string, inFlight: InFlightJob[], jobIds: string[]): Promise<void> {
  const now = sup.clock();
  const victims = inFlight.filter((j) => jobIds.includes(j.id) || j.deadline <= now);
  const bystanders = inFlight.filter((j) => !victims.includes(j));
  for (const job of victims) {
    const result = await failTimedOut(sup.env, worker, job, sup.failures);
    sup.jobLines?.print({ ...lineOf(job, now), outcome: result === "retry-scheduled" ? "timed-out-retry" : "timed-out", error: job.limit, worker });
    sup.log.warn({ worker, jobId: job.id, queue: job.queue, result }, `job ${job.limit}; worker killed`);
    sup.events.emit("job.timed_out", "error", `job ${job.id} ${job.limit}; worker ${worker} killed`, { worker, jobId: job.id, queue: job.queue, data: { result } });
  }
  const why = `worker ${worker} was killed: job ${victims.map((v) => v.id).join(",")} timed out`;
  const requeued = await requeueJobs(sup.env, worker, bystanders, why);
  if (requeued.length > 0) sup.log.info({ worker, requeued }, "requeued the other jobs of the killed worker");
}

/** A canceled job that ignored its signal: it ends canceled; the child's other jobs go back to their queues. */
async function canceledKilled(sup: ExitHost, worker: string, inFlight: InFlightJob[], jobIds: string[]): Promise<void> {
  const victims = inFlight.filter((j) => jobIds.includes(j.id));
  const bystanders = inFlight.filter((j) => !jobIds.includes(j.id));
  for (const job of victims) {
    const how = `it did not stop on its signal within the cancel grace, so worker ${worker} was killed`;
    const result = await cancelStarted(sup.env, { job, worker, how });
    sup.log.warn({ worker, jobId: job.id, queue: job.queue, result }, "canceled job stopped by killing its worker");
  }
  const why = `worker ${worker} was killed: canceled job ${jobIds.join(",")} did not stop`;
  const requeued = await requeueJobs(sup.env, worker, bystanders, why);
  if (requeued.length > 0) sup.log.info({ worker, requeued }, "requeued the other jobs of the killed worker");
}

async function forcedStop(sup: ExitHost, worker: string, inFlight: InFlightJob[]): Promise<void> {
  const requeued = await requeueJobs(sup.env, worker, inFlight, "worker shutdown");
  sup.log.warn({ worker, requeued }, "worker killed by forced stop; its jobs were requeued");
  sup.events.emit("worker.down", "warn", `worker ${worker} killed by forced stop; requeued ${requeued.length} job(s)`, { worker, data: { requeued } });
}

async function stopped(sup: ExitHost, worker: string, exit: ChildExit): Promise<void> {
  if (exit.inFlight.length > 0) await requeueJobs(sup.env, worker, exit.inFlight, "worker stopped");
  sup.log.info({ worker, drained: exit.drained }, "worker stopped");
  sup.events.emit("worker.down", "info", `worker ${worker} stopped${exit.drained ? " (queues drained)" : ""}`, { worker });
}

/** Dealt with now rather than when their leases lapse; the stall limit stops a job that kills every worker. */
async function crashedJobs(sup: ExitHost, worker: string, how: string, exit: ChildExit): Promise<void> {
  const outcome = await abandon(sup.env, worker, exit.inFlight, sup.stallLimit, sup.failures, deathCause(exit));
  const now = sup.clock();
  const error = `worker died (${how})`;
  for (const job of exit.inFlight) {
    const ended = outcome.failed.includes(job.id) ? "abandoned" : outcome.requeued.includes(job.id) ? "requeued" : undefined;
    if (ended) sup.jobLines?.print({ ...lineOf(job, now), outcome: ended, error, worker });
  }
  if (outcome.requeued.length > 0 || outcome.failed.length > 0) sup.log.warn({ worker, requeued: outcome.requeued, failed: outcome.failed }, "jobs of the dead worker recovered");
  sup.events.emit("worker.down", "error", `worker ${worker} died (${how})${exit.fatal ? `: ${exit.fatal}` : ""}`, {
    worker,
    data: { requeued: outcome.requeued, failed: outcome.failed },
  });
}

/** The fields of a job line for a job the supervisor ended itself. */
function lineOf(job: InFlightJob, now: number): { id: string; queue: string; method: string; at: number; ms: number } {
  return { id: job.id, queue: job.queue, method: job.method ?? "(task unknown)", at: now, ms: job.startedAt === undefined ? 0 : now - job.startedAt };
}

function restartAfterCrash(sup: ExitHost, slot: Slot, worker: string, exit: ChildExit): void {
  const group = slot.group;
  if (group.gaveUp) return;
  const decision = group.policy.onDeath(exit.readyMs);
  if (decision.action === "give-up") {
    group.gaveUp = true;
    const msg = `worker group ${group.spec.name}: ${decision.unstableCount} workers in a row died before or within ${sup.unstableMs} ms of being ready; not restarting it`;
    sup.log.error({ group: group.spec.name, unstable: decision.unstableCount, lastError: exit.fatal }, msg);
    sup.events.emit("child.unstable", "error", msg, { worker, data: { group: group.spec.name, lastError: exit.fatal } });
    // The rest of the group stops restarting too: it would only crash the same way.
    for (const other of group.slots) {
      clearTimeout(other.restartTimer);
      other.restartTimer = undefined;
    }
    return;
  }
  sup.events.emit("child.restarted", decision.unstable ? "warn" : "info", `restarting worker of group ${group.spec.name} in ${decision.delayMs} ms`, {
    worker,
    data: { reason: "crash", delayMs: decision.delayMs, unstable: decision.unstable },
  });
  recordWorkerRestart(group.spec.name, "crash");
  sup.restart(slot, decision.delayMs);
}
