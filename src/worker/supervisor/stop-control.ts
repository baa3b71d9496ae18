/**
 * How a supervisor stops, in two steps, and when it has finished:
 *
 * - the first stop() lets running jobs finish: children take no more jobs and exit once theirs
 *   are done, up to the grace period;
 * - the second stop(), or the end of grace, forces: the running jobs' signals abort, then (after
 *   `abortMs`) the children are killed and their jobs requeued (exit-handling.ts);
 * - it has finished once nothing is left: no live child, no restart waiting for its backoff,
 *   nothing the host still does (jobs of dead children being recovered, failure handlers).
 *
 * The exit code: 0 after a requested stop or a burst drain, 1 when every group gave up
 * restarting and nothing is left running.
 */
import { setLongTimeout, type LongTimeout } from "../../base/long-timeout.js";
import type { SlotPool } from "./slot-pool.js";
import type { Logger } from "../../log/logger.js";

/** What the stop logic needs from its supervisor. */
export interface StopHost {
  log: Logger;
  pool: SlotPool;
  /** Grace of a graceful stop, ms (read at the stop). */
  graceMs(): number;
  /** How long a forced stop lets tasks see their aborted signal before SIGKILL. */
  abortMs: number;
  /** Work besides live children that must end before the supervisor does. */
  busy(): boolean;
  /** Stop the timers and listeners (called once, at the finish, before the last log line). */
  tearDown(): void;
  /** The supervisor has finished with `code`. */
  finished(code: number): void;
}

export class StopControl {
  stopping = false;
  private forced = false;
  private finished = false;
  private graceTimer: LongTimeout | undefined;

  constructor(private readonly host: StopHost) {}

  /** First call: graceful (finish running jobs, up to the grace period). Second: forced. */
  stop(): void {
    if (this.finished) return;
    if (this.stopping) {
      this.force("second stop signal");
      return;
    }
    this.stopping = true;
    const { pool, log } = this.host;
    const graceMs = this.host.graceMs();
    log.info({ graceMs, running: pool.runningJobs() }, "stopping: no new jobs; waiting for running ones (signal again to force)");
    for (const old of pool.retiringSlots()) old.child?.requestStop();
    pool.cancelRestarts();
    for (const group of pool.groups) for (const slot of group.slots) slot.child?.requestStop();
    this.graceTimer = setLongTimeout(() => this.force(`grace period of ${Math.round(graceMs / 1000)} s ended`), graceMs);
    this.maybeFinish();
  }

  /** Kill every child now; their running jobs go back to the front of their queues. */
  force(why: string): void {
    if (this.forced || this.finished) return;
    this.forced = true;
    this.stopping = true;
    this.graceTimer?.clear();
    const { pool, log } = this.host;
    log.warn({ why, running: pool.runningJobs() }, "forcing stop: killing workers, requeueing their jobs");
    for (const slot of pool.liveSlots()) slot.child!.abortRunning();
    const abortMs = this.host.abortMs;
    const kill = () => {
      for (const slot of pool.liveSlots()) slot.child!.kill({ kind: "shutdown" });
    };
    if (abortMs <= 0 || pool.runningJobs() === 0) kill();
    else setTimeout(kill, abortMs).unref();
    this.maybeFinish();
  }

  /** Finish if nothing is left; called whenever something ended. */
  maybeFinish(): void {
    if (this.finished) return;
    const { pool, log } = this.host;
    if (this.host.busy() || pool.liveSlots().length > 0 || pool.restartPending()) return;
    this.finished = true;
    this.graceTimer?.clear();
    this.host.tearDown();
    // A requested stop is clean; otherwise we end because queues drained (burst) or because
    // groups gave up restarting, which must not look like success.
    const gaveUp = pool.groups.some((g) => g.gaveUp);
    const code = this.stopping ? 0 : gaveUp ? 1 : 0;
    log.info({ code }, this.stopping ? "worker supervisor stopped" : gaveUp ? "worker groups gave up: nothing left running" : "queues drained");
    this.host.finished(code);
  }
}
