/**
 * The supervisor's answer to a child process that ended: what becomes of its jobs (recovery.ts)
 * and whether its slot gets a new child (restart-policy.ts).
 *
 * | why it ended                        | its jobs                                  | slot            |
 * |-------------------------------------|-------------------------------------------|-----------------|
 * | killed at a job's hard deadline     | that job fails (timeout), others requeued | replaced now    |
 * | killed by a forced stop             | requeued to the front                     | left empty      |
 * | exited 0 after stop / burst drain   | none left (any stragglers requeued)       | left empty      |
 * | anything else: a crash              | abandoned: requeued with a stall, or failed past the stall limit | restarted with backoff, or the group gives up |
 */
import type { ChildExit, ChildHandle } from "./child-handle.js";
import { abandon, failTimedOut, giveBack } from "./recovery.js";
import type { Slot, Supervisor } from "./supervisor.js";

export async function onChildExit(sup: Supervisor, slot: Slot, child: ChildHandle, exit: ChildExit): Promise<void> {
  const { env, log, events } = sup;
  const worker = child.name;
  const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
  const lost = exit.inFlight.map(({ id, queue, limit }) => ({ id, queue, limit }));

  if (exit.cause.kind === "timeout") {
    const now = sup.clock();
    const victims = exit.inFlight.filter((j) => (exit.cause.kind === "timeout" && exit.cause.jobIds.includes(j.id)) || j.deadline <= now);
    const bystanders = lost.filter((j) => !victims.some((v) => v.id === j.id));
    for (const job of victims) {
      const result = await failTimedOut(env, worker, job);
      log.warn({ worker, jobId: job.id, queue: job.queue, result }, `job ${job.limit}; worker killed`);
      events.emit("job.timeout", "error", `job ${job.id} ${job.limit}; worker ${worker} killed`, { worker, jobId: job.id, queue: job.queue, data: { result } });
    }
    const requeued = await giveBack(env, worker, bystanders, `worker ${worker} was killed: job ${victims.map((v) => v.id).join(",")} timed out`);
    if (requeued.length > 0) log.info({ worker, requeued }, "requeued the other jobs of the killed worker");
    await sup.forget(worker);
    events.emit("child.restart", "info", `worker ${worker} replaced after a hard timeout`, { worker, data: { reason: "timeout" } });
    sup.scheduleRestart(slot, 0);
    return;
  }

  if (exit.cause.kind === "shutdown") {
    const requeued = await giveBack(env, worker, lost, "worker shutdown");
    log.warn({ worker, requeued }, "worker killed by forced stop; its jobs were requeued");
    events.emit("worker.down", "warn", `worker ${worker} killed by forced stop; requeued ${requeued.length} job(s)`, { worker, data: { requeued } });
    await sup.forget(worker);
    return;
  }

  if (exit.code === 0 && (exit.stopRequested || exit.drained)) {
    if (lost.length > 0) await giveBack(env, worker, lost, "worker stopped");
    log.info({ worker, drained: exit.drained }, "worker stopped");
    events.emit("worker.down", "info", `worker ${worker} stopped${exit.drained ? " (queues drained)" : ""}`, { worker });
    await sup.forget(worker);
    return;
  }

  // A crash. Its jobs are dealt with now rather than when their leases lapse.
  const outcome = await abandon(env, worker, lost, sup.stallLimit);
  log.error(
    { worker, childPid: child.pid, exit: how, livedMs: exit.livedMs, fatal: exit.fatal, requeued: outcome.requeued, failed: outcome.failed },
    exit.fatal ? `worker could not start: ${exit.fatal}` : `worker died unexpectedly (${how})`,
  );
  events.emit("worker.down", "error", `worker ${worker} died (${how})${exit.fatal ? `: ${exit.fatal}` : ""}`, {
    worker,
    data: { requeued: outcome.requeued, failed: outcome.failed },
  });
  await sup.forget(worker);
  if (sup.stopping) return;

  const group = slot.group;
  const decision = group.policy.onDeath(exit.readyMs);
  if (decision.action === "give-up") {
    group.gaveUp = true;
    const msg = `worker group ${group.spec.name}: ${decision.unstableCount} workers in a row died before or within ${sup.timings.unstableMs} ms of being ready; not restarting it`;
    log.error({ group: group.spec.name, unstable: decision.unstableCount, lastError: exit.fatal }, msg);
    events.emit("child.unstable", "error", msg, { worker, data: { group: group.spec.name, lastError: exit.fatal } });
    // The rest of the group stops too: it would only crash the same way.
    for (const other of group.slots) {
      clearTimeout(other.restartTimer);
      other.restartTimer = undefined;
    }
    return;
  }
  events.emit("child.restart", decision.unstable ? "warn" : "info", `restarting worker of group ${group.spec.name} in ${decision.delayMs} ms`, {
    worker,
    data: { reason: "crash", delayMs: decision.delayMs, unstable: decision.unstable },
  });
  sup.scheduleRestart(slot, decision.delayMs);
}
