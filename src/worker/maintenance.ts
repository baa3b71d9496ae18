/**
 * The supervisor's periodic chores, on timers of their own:
 *
 * - every `heartbeatMs`: extend the leases of the jobs each child runs (and pass on the cancel
 *   requests the heartbeat finds among them: job-cancel.ts), and refresh each child's
 *   entry in the worker registry. Done here rather than in the child because a task may block a
 *   child's event loop for longer than a lease; the supervisor's loop is never blocked by tasks.
 * - every `reapMs`: reapStalled (jobs of workers that died anywhere, kill -9 or host gone), and
 *   promoteScheduled when no scheduler daemon does it (option `promote`).
 * - every `cleanMs` (a minute): cleanRegistries, so expired finished/failed/canceled jobs leave
 *   Redis even when traffic stops (complete and fail only trim a few as they go). It is one
 *   bounded script (~10-50 ms per 1000 expired jobs); running it in several supervisors is safe.
 *
 * A tick that fails (Redis restarting) is logged once per outage and tried again next time; a
 * tick never overlaps the previous one.
 */
import type { QueueEnv } from "../queue/context.js";
import { heartbeat, promoteScheduled, reapStalled } from "../queue/lifecycle.js";
import { cleanRegistries } from "../queue/registry.js";
import { describeError } from "../errors.js";
import { touchWorker, type WorkerInfo, type WorkerState } from "./registry.js";
import type { Logger } from "./types.js";
import type { FailureHandlers } from "./failure-handlers.js";

/** What the chores need to know about one live child. */
export interface WatchedChild {
  info: WorkerInfo;
  state(): WorkerState;
  jobs(): Array<{ id: string; queue: string }>;
  /** Someone canceled these running jobs of the child (the heartbeat found the flags). */
  cancel?(jobIds: string[]): void;
}

export interface MaintenanceOptions {
  env: QueueEnv;
  log: Logger;
  heartbeatMs: number;
  leaseMs: number;
  reapMs: number;
  /** How often expired jobs are swept from the registries (default 60 s). */
  cleanMs?: number;
  registryTtlMs: number;
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

  constructor(private readonly o: MaintenanceOptions) {}

  start(): void {
    this.timers.push(setInterval(() => void this.guard("heartbeat", () => this.heartbeatAll()), this.o.heartbeatMs));
    this.timers.push(setInterval(() => void this.guard("reap", () => this.reap()), this.o.reapMs));
    this.timers.push(setInterval(() => void this.guard("clean", async () => void (await this.clean())), this.o.cleanMs ?? 60_000));
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  /** Extend leases and refresh the registry for every live child (also called on demand). */
  async heartbeatAll(): Promise<void> {
    const { env, leaseMs, registryTtlMs } = this.o;
    await Promise.all(
      this.o.children().map(async (child) => {
        const jobs = child.jobs();
        if (jobs.length > 0) {
          const { cancelRequested } = await heartbeat(env, { worker: child.info.name, jobs, leaseMs });
          if (cancelRequested.length > 0) child.cancel?.(cancelRequested);
        }
        await touchWorker(env, child.info, child.state(), registryTtlMs);
      }),
    );
  }

  async reap(): Promise<void> {
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
