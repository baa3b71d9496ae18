/**
 * The supervisor's periodic chores, on timers of their own:
 *
 * - every `heartbeatMs`: extend the leases of the jobs each child runs (and pass on the cancel
 *   requests the heartbeat finds among them: cancel-relay.ts), and refresh each child's
 *   worker record. Done here rather than in the child because a task may block a
 *   child's event loop for longer than a lease; the supervisor's loop is never blocked by tasks.
 * - every `reapMs`: reapStalled (jobs of workers that died anywhere, kill -9 or host gone), and
 *   promoteScheduled when no scheduler daemon does it (option `promote`). Reaping waits while
 *   this supervisor's own heartbeats do not get through, and one lease period after they do
 *   again (reap-gate.ts): after a Redis freeze every lease has lapsed by the clock, yet their
 *   owners are alive and renew within that period.
 * - a heartbeat that finds a job no longer leased to its worker (reaped while the worker was
 *   cut off, then requeued or taken elsewhere) tells the child to abort that run.
 * - every `reapMs` too: the forward records' sweep (forwarder.ts; the per-queue layout only),
 *   which also listens for the notifications that apply them at once.
 * - every `cleanMs` (a minute): cleanRegistries, so expired finished/failed/canceled jobs leave
 *   Redis even when traffic stops (complete and fail only trim a few as they go). It is one
 *   bounded script (~10-50 ms per 1000 expired jobs); running it in several supervisors is safe.
 *
 * A tick that fails (Redis restarting) is logged once per outage and tried again next time; a
 * tick never overlaps the previous one.
 */
import type { QueueEnv } from "../../queue/context.js";
import { heartbeat, promoteScheduled, reapStalled } from "../../queue/lifecycle.js";
import { cleanRegistries } from "../../queue/registry.js";
import { describeError } from "../../base/errors.js";
import { touchWorker, type WorkerInfo, type WorkerState } from "./worker-records.js";
import type { FailureHandlers } from "../failure-handlers.js";
import type { Logger } from "../../log/logger.js";
import { ReapGate } from "./reap-gate.js";
import { Forwarder } from "./forwarder.js";

/** What the chores need to know about one live child. */
export interface WatchedChild {
  info: WorkerInfo;
  state(): WorkerState;
  jobs(): Array<{ id: string; queue: string }>;
  /** Someone canceled these running jobs of the child (the heartbeat found the flags). */
  cancel?(jobIds: string[]): void;
  /** These running jobs are no longer leased to the child (reaped while it was cut off). */
  leaseLost?(jobIds: string[]): void;
}

export interface MaintenanceOptions {
  env: QueueEnv;
  log: Logger;
  heartbeatMs: number;
  leaseMs: number;
  reapMs: number;
  /** How often expired jobs are swept from the registries (default 60 s). */
  cleanMs?: number;
  recordTtlMs: number;
  stallLimit: number;
  promote: boolean;
  children(): WatchedChild[];
  /** Runs the failure handlers of the jobs a reap fails (abandoned past the stall limit). */
  failures?: FailureHandlers;
  /** Called with what a reap did (for logs and tests). */
  onReaped?(result: { requeued: string[]; failed: string[] }): void;
}

export class Maintenance {
  private timers: NodeJS.Timeout[] = [];
  private failing = new Set<string>();
  private busy = new Set<string>();
  private readonly gate: ReapGate;
  private reapHeld = false;
  readonly forwarder: Forwarder;

  constructor(private readonly o: MaintenanceOptions) {
    this.gate = new ReapGate({ leaseMs: o.leaseMs, slowMs: o.heartbeatMs }, o.env.clock());
    this.forwarder = new Forwarder(o.env, o.log);
  }

  start(): void {
    this.timers.push(setInterval(() => void this.guard("heartbeat", () => this.timedHeartbeat()), this.o.heartbeatMs));
    this.timers.push(setInterval(() => void this.guard("reap", () => this.reap()), this.o.reapMs));
    this.timers.push(setInterval(() => void this.guard("clean", async () => void (await this.clean())), this.o.cleanMs ?? 60_000));
    if (this.forwarder.active) {
      const forward = () => void this.guard("forward", async () => void (await this.forwarder.sweep()));
      forward();
      this.timers.push(setInterval(forward, this.o.reapMs));
    }
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    void this.forwarder.stop();
  }

  /** Extend leases and refresh the worker record of every live child (also called on demand). */
  async heartbeatAll(): Promise<void> {
    const { env, leaseMs, recordTtlMs } = this.o;
    const children = this.o.children();
    // With no child there is nothing to renew, but the reap gate still needs a round trip.
    if (children.length === 0) await env.redis.ping();
    await Promise.all(
      children.map(async (child) => {
        const jobs = child.jobs();
        if (jobs.length > 0) {
          const { cancelRequested, leaseLost } = await heartbeat(env, { worker: child.info.name, jobs, leaseMs });
          if (cancelRequested.length > 0) child.cancel?.(cancelRequested);
          if (leaseLost.length > 0) {
            this.o.log.warn({ worker: child.info.name, jobIds: leaseLost }, "lease lost while this worker could not renew it (the job was reaped): aborting its run");
            child.leaseLost?.(leaseLost);
          }
        }
        await touchWorker(env, child.info, child.state(), recordTtlMs);
      }),
    );
  }

  /** heartbeatAll, timed for the reap gate. */
  private async timedHeartbeat(): Promise<void> {
    const clock = this.o.env.clock;
    this.gate.begin(clock());
    try {
      await this.heartbeatAll();
      this.gate.end(clock(), true);
    } catch (err) {
      this.gate.end(clock(), false);
      throw err;
    }
  }

  /** Redis went away and came back (the client reconnected): contact was lost. */
  contactLost(): void {
    this.gate.lost(this.o.env.clock());
  }

  async reap(): Promise<void> {
    if (!this.gate.mayReap(this.o.env.clock())) {
      if (!this.reapHeld && this.gate.cutOff) this.o.log.info({ until: new Date(this.gate.opensAt).toISOString() }, "not reaping for one lease period: this supervisor could not reach Redis, so lapsed leases may belong to live workers that could not either");
      this.reapHeld = this.gate.cutOff;
      if (this.o.promote) await promoteScheduled(this.o.env, {});
      return;
    }
    this.reapHeld = false;
    const result = await reapStalled(this.o.env, { stallLimit: this.o.stallLimit });
    this.o.failures?.notifyReaped(result.failed);
    if (result.requeued.length > 0 || result.failed.length > 0) {
      this.o.log.warn({ requeued: result.requeued, failed: result.failed }, "reaped jobs of dead workers");
      this.o.onReaped?.(result);
    }
    if (this.o.promote) await promoteScheduled(this.o.env, {});
  }

  /** Sweep expired jobs in bounded steps (1000 per registry each) until a step finds none. */
  async clean(): Promise<number> {
    let total = 0;
    for (let step = 0; step < 10; step++) {
      const removed = await cleanRegistries(this.o.env, { limit: 1000 });
      total += removed;
      if (removed === 0) break;
    }
    return total;
  }

  private async guard(name: string, fn: () => Promise<void>): Promise<void> {
    if (this.busy.has(name)) return;
    this.busy.add(name);
    try {
      await fn();
      if (this.failing.delete(name)) this.o.log.info({ chore: name }, "worker maintenance recovered");
    } catch (err) {
      if (!this.failing.has(name)) this.o.log.warn({ chore: name, err: describeError(err) }, "worker maintenance failed; will retry");
      this.failing.add(name);
    } finally {
      this.busy.delete(name);
    }
  }
}
