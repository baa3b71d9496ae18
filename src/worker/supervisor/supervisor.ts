/**
 * The worker supervisor: runs N child processes per queue group and watches them.
 *
 * Children do the hot path themselves (dequeue, run, complete). The supervisor only:
 * - kills a child at a job's hard deadline (SIGKILL works even when a task blocks the child's
 *   event loop), fails that job with the timeout error, requeues the child's other jobs and
 *   starts a replacement at once;
 * - handles a child that died on its own (its jobs: see recovery.ts) and restarts it with the
 *   restart policy's backoff, giving up loudly on a group that only crash-loops
 *   (exit-handling.ts);
 * - extends leases, keeps the worker records, reaps dead workers' jobs (maintenance.ts);
 * - shuts down in two steps (stop-control.ts): the first stop() lets running jobs finish (up to
 *   the grace period), the second (or the end of grace) kills the children and requeues their jobs.
 *
 * The slots the children live in are the pool's (slot-pool.ts); this file forks children into
 * them and wires the parts together.
 *
 * `done` resolves to the exit code: 0 after a requested stop or a burst drain, 1 when every
 * group gave up restarting and nothing is left running.
 */
import { layoutFor } from "../../redis/key-layout.js";
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { systemClock, type Clock } from "../../base/clock.js";
import type { ResolvedConfig } from "../../config/types.js";
import { closingOnFailure, connectRedis } from "../../redis/connection.js";
import { describeError } from "../../base/errors.js";
import { createKeys } from "../../redis/keys.js";
import type { QueueEnv } from "../../queue/context.js";
import { promoteScheduled } from "../../queue/lifecycle.js";
import { ChildHandle, type ChildExit, type InFlightJob } from "./child-handle.js";
import { leasedJobs } from "../leased-jobs.js";
import { Maintenance } from "./maintenance.js";
import { removeWorker, touchWorker } from "./worker-records.js";
import { DEFAULT_RESTART_POLICY, type RestartPolicyOptions } from "./restart-policy.js";
import { jsonLogger } from "../log.js";
import { WorkerEvents } from "./worker-events.js";
import { onChildExit, type ExitHost } from "./exit-handling.js";
import { forwardChildLine } from "./child-output.js";
import { FailureHandlers } from "../failure-handlers.js";
import { createTaskRegistry } from "../../tasks/task-loader.js";
import type { TaskRegistry } from "../../tasks/task-table.js";
import { CancelRelay, DEFAULT_CANCEL_GRACE_MS } from "./cancel-relay.js";
import type { WorkerTimings } from "../types.js";
import { childInit, DEFAULT_TIMINGS, graceMsOf, recordTtlMs, silenceMs, type SupervisorOptions } from "./options.js";
import { SlotPool, workerState, type GroupState, type Slot } from "./slot-pool.js";
import { StopControl } from "./stop-control.js";
import type { Logger } from "../../log/logger.js";
import { childExecArgv } from "./child-exec-argv.js";
import { JobLines } from "./job-lines.js";

let childCounter = 0;
const RUN_ID = randomBytes(2).toString("hex");

export class Supervisor {
  readonly env: QueueEnv;
  readonly log: Logger;
  readonly clock: Clock;
  readonly timings: WorkerTimings;
  readonly events: WorkerEvents;
  /** Failure handlers of the jobs failed here (hard timeouts, dead workers, reaps). */
  readonly failures: FailureHandlers;
  readonly done: Promise<number>;
  /** The line per ended job (job-lines.ts), when asked for. */
  readonly jobLines: JobLines | undefined;
  /** The slots of the children (slot-pool.ts). */
  readonly pool: SlotPool;
  /** Exits whose jobs are still being failed/requeued: finishing waits for them. */
  private recovering = 0;
  private resolveDone!: (code: number) => void;
  private readonly stopControl: StopControl;
  private readonly exitHost: ExitHost;
  private readonly maintenance: Maintenance;
  /** Stops running jobs someone canceled (cancel-relay.ts). */
  private readonly cancels: CancelRelay;
  private readonly reportedLoadErrors = new Set<string>();
  private readonly signalHandler = () => this.stop();
  /** Resolves failure handler paths; created at the first failure, anew after a reload. */
  private handlerTasks: TaskRegistry | undefined;
  private reloads = 0;

  constructor(
    readonly options: SupervisorOptions,
    redis: Redis,
  ) {
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? jsonLogger({ base: { component: "worker" } });
    this.timings = { ...DEFAULT_TIMINGS, ...options.timings };
    this.env = {
      redis,
      keys: createKeys(options.config.prefix, { jobTags: options.config.keyLayout }),
      clock: this.clock,
      queues: options.config.queues,
      retention: options.config.retention,
    };
    this.events = new WorkerEvents(this.env, this.log);
    this.jobLines = options.jobLines && options.jobLines !== "none" ? new JobLines(this.log, options.jobLines) : undefined;
    this.failures = new FailureHandlers({
      env: this.env,
      log: this.log,
      paths: () => this.options.config.failureHandlers ?? [],
      tasks: () => (this.handlerTasks ??= createTaskRegistry(this.options.config.appRoot, { fresh: this.reloads > 0 })),
      onIdle: () => this.stopControl.maybeFinish(),
    });
    const policy: RestartPolicyOptions = { ...DEFAULT_RESTART_POLICY, unstableMs: this.timings.unstableMs, ...options.restartPolicy };
    this.pool = new SlotPool(options.groups, policy);
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.cancels = new CancelRelay({ env: this.env, log: this.log, graceMs: this.timings.cancelGraceMs ?? DEFAULT_CANCEL_GRACE_MS });
    this.stopControl = new StopControl({
      log: this.log,
      pool: this.pool,
      graceMs: () => this.graceMs,
      abortMs: options.abortMs ?? 500,
      busy: () => this.recovering > 0 || this.failures.pending > 0,
      tearDown: () => {
        this.maintenance.stop();
        this.cancels.stop();
        if (this.options.handleSignals) {
          process.off("SIGTERM", this.signalHandler);
          process.off("SIGINT", this.signalHandler);
        }
      },
      // The last worker.down events are in flight: done means they are written.
      finished: (code) => void this.events.settled().then(() => this.resolveDone(code)),
    });
    this.exitHost = {
      env: this.env,
      clock: this.clock,
      log: this.log,
      events: this.events,
      failures: this.failures,
      jobLines: this.jobLines,
      stallLimit: this.stallLimit,
      unstableMs: this.timings.unstableMs,
      stopping: () => this.stopping,
      restart: (slot, delayMs) => this.scheduleRestart(slot, delayMs),
      // a record left behind expires by itself
      forget: (worker) => removeWorker(this.env, worker).catch(() => {}),
    };
    this.maintenance = new Maintenance({
      env: this.env,
      log: this.log,
      heartbeatMs: this.timings.heartbeatMs,
      leaseMs: this.timings.leaseMs,
      reapMs: this.timings.reapMs,
      cleanMs: this.timings.cleanMs,
      recordTtlMs: recordTtlMs(this.timings),
      stallLimit: this.stallLimit,
      promote: options.promote ?? false,
      failures: this.failures,
      children: () =>
        this.liveSlots().map((slot) => ({
          info: slot.info!,
          state: () => workerState(slot.child!, this.stopping),
          jobs: () => [...slot.child!.inFlight.values()].map(({ id, queue }) => ({ id, queue })),
          cancel: (ids) => this.cancels.request(slot.child!, ids),
          leaseLost: (ids) => ids.forEach((id) => slot.child!.leaseLost(id)),
        })),
    });
  }

  get groups(): GroupState[] {
    return this.pool.groups;
  }

  get stopping(): boolean {
    return this.stopControl.stopping;
  }

  get stallLimit(): number {
    return this.options.stallLimit ?? 1;
  }

  /** Grace for a stop: the option, else the longest timeout among the queues served. */
  get graceMs(): number {
    return graceMsOf(this.options);
  }

  async start(): Promise<void> {
    if (this.options.burst && this.options.promote) await promoteScheduled(this.env, {});
    for (const group of this.groups) for (const slot of group.slots) this.spawn(slot);
    this.maintenance.start();
    if (this.options.handleSignals) {
      process.on("SIGTERM", this.signalHandler);
      process.on("SIGINT", this.signalHandler);
    }
    this.log.info(
      { groups: this.groups.map((g) => ({ queues: g.spec.queues, processes: g.spec.processes, concurrency: g.spec.concurrency })), burst: !!this.options.burst },
      "worker supervisor started",
    );
  }

  /** First call: graceful (finish running jobs, up to the grace period). Second: forced. */
  stop(): void {
    this.stopControl.stop();
  }

  /** Kill every child now; their running jobs go back to the front of their queues. */
  force(why: string): void {
    this.stopControl.force(why);
  }

  /** Children alive now (for status and tests). */
  liveSlots(): Slot[] {
    return this.pool.liveSlots();
  }

  runningJobs(): number {
    return this.pool.runningJobs();
  }

  /**
   * Rolling restart with new settings (hooks reload): every slot gets a fresh child at once, which
   * loads the task modules anew; the old children take no more jobs, finish the running ones and
   * exit. The groups' shape (queues, processes, concurrency) stays as it is.
   */
  reload(update: { config?: ResolvedConfig; preload?: string[] } = {}): number {
    if (this.stopping) return 0;
    if (update.config) {
      // the layout is the installation's, read once at start: a reloaded hooks file does not name it
      this.options.config = { ...update.config, keyLayout: this.options.config.keyLayout };
      this.env.queues = update.config.queues;
      this.env.retention = update.config.retention;
    }
    if (update.preload) this.options.preload = update.preload;
    this.reloads += 1;
    this.handlerTasks = undefined;
    this.failures.reset();
    let replaced = 0;
    for (const group of this.groups) {
      if (group.gaveUp) continue;
      for (const slot of group.slots) {
        if (!slot.child?.alive) continue;
        const old = this.pool.retire(slot);
        // The old child keeps taking jobs until its successor is ready (spawn's onReady), so
        // no queue is left without a worker while the new one loads the task modules.
        this.spawn(slot, old);
        replaced += 1;
      }
    }
    this.log.info({ replaced }, "reload: new workers starting; each old one finishes its running jobs once its successor is ready");
    return replaced;
  }

  spawn(slot: Slot, replacing?: Slot): void {
    const { spec } = slot.group;
    const name = `${hostname()}.${process.pid}.${RUN_ID}.${++childCounter}`;
    const child = new ChildHandle({
      clock: this.clock,
      module: this.options.childModule,
      execArgv: childExecArgv(spec),
      output: (line, stream) => forwardChildLine(this.log, name, line, stream),
      lookupLeased: (worker) => leasedJobs(this.env, worker, spec.queues),
      silenceMs: silenceMs(this.timings),
      init: childInit(this.options, this.timings, spec, name, this.jobLines?.mode),
      events: {
        onReady: (c) => {
          this.log.info({ worker: c.name, childPid: c.pid, queues: spec.queues }, "worker up");
          replacing?.child?.requestStop();
          this.events.emit("worker.up", "info", `worker ${c.name} up (pid ${c.pid}, queues ${spec.queues.join(",")})`, { worker: c.name });
          void this.touch(slot);
        },
        onLoadError: (c, module, error) => this.reportLoadError(c, module, error),
        onDeadline: (c, job) => this.onDeadline(c, job),
        onJobsEnded: (c, ended, finishedLines) => this.jobLines?.ended(ended, c.name, finishedLines),
        onExit: (c, exit) => void this.handleExit(this.pool.slotOf(c, slot), c, exit),
      },
    });
    slot.child = child;
    slot.info = {
      name,
      host: hostname(),
      pid: child.pid,
      supervisorPid: process.pid,
      queues: spec.queues,
      group: spec.name,
      startedAt: this.clock(),
    };
    void this.touch(slot);
  }

  private async touch(slot: Slot): Promise<void> {
    if (!slot.child?.alive || !slot.info) return;
    try {
      await touchWorker(this.env, slot.info, workerState(slot.child, this.stopping), recordTtlMs(this.timings));
    } catch {
      /* the maintenance tick reports Redis trouble */
    }
  }

  private onDeadline(child: ChildHandle, job: InFlightJob): void {
    this.log.warn({ worker: child.name, childPid: child.pid, jobId: job.id, queue: job.queue, limit: job.limit }, "job passed its hard deadline: killing its worker");
    child.kill({ kind: "timeout", jobIds: [job.id] });
  }

  private reportLoadError(child: ChildHandle, module: string, error: string): void {
    const key = `${module}\n${error}`;
    if (this.reportedLoadErrors.has(key)) return;
    this.reportedLoadErrors.add(key);
    this.log.error({ module, error, worker: child.name }, `task module ${module} failed to load; its jobs fail with this error`);
    this.events.emit("task.load_failed", "error", `task module ${module} failed to load: ${error}`, { worker: child.name, data: { module } });
  }

  private async handleExit(slot: Slot, child: ChildHandle, exit: ChildExit): Promise<void> {
    this.recovering += 1;
    this.cancels.forgetChild(child);
    try {
      await onChildExit(this.exitHost, slot, child, exit);
    } catch (err) {
      this.log.error({ worker: child.name, err: describeError(err) }, "could not recover the jobs of a dead worker; the reaper will");
    } finally {
      this.recovering -= 1;
      this.pool.vacate(slot, child);
      this.stopControl.maybeFinish();
    }
  }

  /** Give a slot a new child, now or after a backoff (exit-handling.ts decides which). */
  private scheduleRestart(slot: Slot, delayMs: number): void {
    if (this.stopping) return;
    if (delayMs <= 0) {
      slot.child = undefined;
      this.spawn(slot);
      return;
    }
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = undefined;
      if (!this.stopping) this.spawn(slot);
      this.stopControl.maybeFinish();
    }, delayMs);
  }
}

/** Connect, fork the children, and return the running supervisor. */
export async function startSupervisor(options: SupervisorOptions): Promise<Supervisor> {
  const redis = await connectRedis(options.redisUrl, { connectionName: `supervisor:${process.pid}` });
  // the installation's key layout (claimed when the hooks name one), passed on to the children
  const keyLayout = options.config.keyLayout ?? (await closingOnFailure(redis, layoutFor(redis, options.config.prefix, options.config.claimLayout)));
  const supervisor = new Supervisor({ ...options, config: { ...options.config, keyLayout } }, redis);
  void supervisor.done.finally(() => redis.disconnect());
  await supervisor.start();
  return supervisor;
}
