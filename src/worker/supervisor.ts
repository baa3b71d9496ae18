/**
 * The worker supervisor: runs N child processes per queue group and watches them.
 *
 * Children do the hot path themselves (dequeue, run, complete). The supervisor only:
 * - kills a child at a job's hard deadline (SIGKILL works even when a task blocks the child's
 *   event loop), fails that job with the timeout error, requeues the child's other jobs and
 *   starts a replacement at once;
 * - handles a child that died on its own (its jobs: see recovery.ts) and restarts it with the
 *   restart policy's backoff, giving up loudly on a group that only crash-loops;
 * - extends leases, keeps the worker registry, reaps dead workers' jobs (maintenance.ts);
 * - shuts down in two steps: the first stop() lets running jobs finish (up to the grace period),
 *   the second (or the end of grace) kills the children and requeues their jobs.
 *
 * `done` resolves to the exit code: 0 after a requested stop or a burst drain, 1 when every
 * group gave up restarting and nothing is left running.
 */
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { systemClock, type Clock } from "../clock.js";
import type { ResolvedConfig } from "../config/types.js";
import { connectRedis } from "../redis/connection.js";
import { describeError } from "../errors.js";
import { createKeys } from "../redis/keys.js";
import type { QueueEnv } from "../queue/context.js";
import { promoteScheduled } from "../queue/lifecycle.js";
import { ChildHandle, DEFAULT_STALL_MS, type ChildExit, type InFlightJob } from "./child-handle.js";
import { leasedJobs } from "./leased-jobs.js";
import { Maintenance } from "./maintenance.js";
import { removeWorker, touchWorker, type WorkerState } from "./registry.js";
import { DEFAULT_RESTART_POLICY, RestartPolicy, type RestartPolicyOptions } from "./restart-policy.js";
import { jsonLogger } from "./log.js";
import { WorkerEvents } from "./worker-events.js";
import { onChildExit } from "./child-exit.js";
import { forwardChildLine } from "./child-output.js";
import { FailureHandlers } from "./failure-handlers.js";
import { CancelRelay, DEFAULT_CANCEL_GRACE_MS } from "./job-cancel.js";
import { createTaskRegistry } from "../hooks/task-loader.js";
import type { TaskRegistry } from "../hooks/types.js";
import type { Logger, WorkerTimings } from "./types.js";
import { DEFAULT_TIMINGS, type GroupState, type Slot, type SupervisorOptions } from "./supervisor-types.js";
import { childExecArgv } from "./child-exec-argv.js";

export { DEFAULT_TIMINGS, childExecArgv, type GroupState, type Slot, type SupervisorOptions };
import { JobLines } from "./job-lines.js";
import { setLongTimeout, type LongTimeout } from "../long-timeout.js";

let childCounter = 0;
const RUN_ID = randomBytes(2).toString("hex");

export class Supervisor {
  readonly env: QueueEnv;
  readonly log: Logger;
  readonly clock: Clock;
  readonly timings: WorkerTimings;
  readonly groups: GroupState[];
  readonly events: WorkerEvents;
  /** Failure handlers of the jobs failed here (hard timeouts, dead workers, reaps). */
  readonly failures: FailureHandlers;
  readonly done: Promise<number>;
  /** The line per ended job (job-lines.ts), when asked for. */
  readonly jobLines: JobLines | undefined;
  stopping = false;
  private forced = false;
  private finished = false;
  /** Exits whose jobs are still being failed/requeued: finishing waits for them. */
  private recovering = 0;
  private resolveDone!: (code: number) => void;
  private graceTimer: LongTimeout | undefined;
  private readonly maintenance: Maintenance;
  /** Stops running jobs someone canceled (job-cancel.ts). */
  private readonly cancels: CancelRelay;
  private readonly reportedLoadErrors = new Set<string>();
  /** Children replaced by reload() that are finishing their jobs. */
  private readonly retiring = new Set<Slot>();
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
      keys: createKeys(options.config.prefix),
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
      onIdle: () => this.maybeFinish(),
    });
    const policy: RestartPolicyOptions = { ...DEFAULT_RESTART_POLICY, unstableMs: this.timings.unstableMs, ...options.restartPolicy };
    this.groups = options.groups.map((spec) => {
      const group: GroupState = { spec, policy: new RestartPolicy(policy), slots: [], gaveUp: false };
      for (let i = 0; i < spec.processes; i++) group.slots.push({ group, index: i, child: undefined, info: undefined, restartTimer: undefined });
      return group;
    });
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.cancels = new CancelRelay({ env: this.env, log: this.log, graceMs: this.timings.cancelGraceMs ?? DEFAULT_CANCEL_GRACE_MS });
    this.maintenance = new Maintenance({
      env: this.env,
      log: this.log,
      heartbeatMs: this.timings.heartbeatMs,
      leaseMs: this.timings.leaseMs,
      reapMs: this.timings.reapMs,
      cleanMs: this.timings.cleanMs,
      registryTtlMs: this.registryTtlMs,
      stallLimit: this.stallLimit,
      promote: options.promote ?? false,
      failures: this.failures,
      children: () =>
        this.liveSlots().map((slot) => ({
          info: slot.info!,
          state: () => this.stateOf(slot.child!),
          jobs: () => [...slot.child!.inFlight.values()].map(({ id, queue }) => ({ id, queue })),
          cancel: (ids) => this.cancels.request(slot.child!, ids),
          leaseLost: (ids) => ids.forEach((id) => slot.child!.leaseLost(id)),
        })),
    });
  }

  get stallLimit(): number {
    return this.options.stallLimit ?? 1;
  }

  /**
   * Silence after which a child counts as stalled and its leases are read from Redis: well
   * before its leases lapse (the heartbeat extends only jobs the supervisor knows of).
   */
  get stallMs(): number {
    return Math.min(DEFAULT_STALL_MS, Math.round(this.timings.leaseMs / 3));
  }

  get registryTtlMs(): number {
    return Math.max(3 * this.timings.heartbeatMs, this.timings.leaseMs);
  }

  /** Grace for a stop: the option, else the longest timeout among the queues served. */
  get graceMs(): number {
    if (this.options.graceMs !== undefined) return this.options.graceMs;
    const served = new Set(this.groups.flatMap((g) => g.spec.queues));
    const longest = Math.max(0, ...[...served].map((q) => this.options.config.queues[q]?.timeout ?? 0));
    return (longest || 300) * 1000;
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
    if (this.finished) return;
    if (this.stopping) {
      this.force("second stop signal");
      return;
    }
    this.stopping = true;
    const graceMs = this.graceMs;
    this.log.info({ graceMs, running: this.runningJobs() }, "stopping: no new jobs; waiting for running ones (signal again to force)");
    for (const old of this.retiring) old.child?.requestStop();
    for (const group of this.groups) {
      for (const slot of group.slots) {
        clearTimeout(slot.restartTimer);
        slot.restartTimer = undefined;
        slot.child?.requestStop();
      }
    }
    this.graceTimer = setLongTimeout(() => this.force(`grace period of ${Math.round(graceMs / 1000)} s ended`), graceMs);
    this.maybeFinish();
  }

  /** Kill every child now; their running jobs go back to the front of their queues. */
  force(why: string): void {
    if (this.forced || this.finished) return;
    this.forced = true;
    this.stopping = true;
    this.graceTimer?.clear();
    const live = this.liveSlots();
    this.log.warn({ why, running: this.runningJobs() }, "forcing stop: killing workers, requeueing their jobs");
    for (const slot of live) slot.child!.abortRunning();
    const abortMs = this.options.abortMs ?? 500;
    const kill = () => {
      for (const slot of this.liveSlots()) slot.child!.kill({ kind: "shutdown" });
    };
    if (abortMs <= 0 || this.runningJobs() === 0) kill();
    else setTimeout(kill, abortMs).unref();
    this.maybeFinish();
  }

  /** Children alive now (for status and tests). */
  liveSlots(): Slot[] {
    return [...this.groups.flatMap((g) => g.slots), ...this.retiring].filter((s) => s.child?.alive);
  }

  /**
   * Rolling restart with new settings (hooks reload): every slot gets a fresh child at once, which
   * loads the task modules anew; the old children take no more jobs, finish the running ones and
   * exit. The groups' shape (queues, processes, concurrency) stays as it is.
   */
  reload(update: { config?: ResolvedConfig; preload?: string[] } = {}): number {
    if (this.stopping) return 0;
    if (update.config) {
      this.options.config = update.config;
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
        const old: Slot = { group, index: slot.index, child: slot.child, info: slot.info, restartTimer: undefined, retiring: true };
        this.retiring.add(old);
        // The old child keeps taking jobs until its successor is ready (spawn's onReady), so
        // no queue is left without a worker while the new one loads the task modules.
        this.spawn(slot, old);
        replaced += 1;
      }
    }
    this.log.info({ replaced }, "reload: new workers starting; each old one finishes its running jobs once its successor is ready");
    return replaced;
  }

  runningJobs(): number {
    return this.liveSlots().reduce((n, s) => n + s.child!.inFlight.size, 0);
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
      stallMs: this.stallMs,
      init: {
        type: "init",
        worker: name,
        config: this.options.config,
        redisUrl: this.options.redisUrl,
        queues: spec.queues,
        strategy: spec.strategy,
        concurrency: spec.concurrency,
        leaseMs: this.timings.leaseMs,
        blockSeconds: this.timings.blockSeconds,
        burst: !!this.options.burst,
        preload: this.options.preload ?? [],
        ...(this.jobLines ? { jobLines: this.jobLines.mode } : {}),
      },
      events: {
        onReady: (c) => {
          this.log.info({ worker: c.name, childPid: c.pid, queues: spec.queues }, "worker up");
          replacing?.child?.requestStop();
          this.events.emit("worker.up", "info", `worker ${c.name} up (pid ${c.pid}, queues ${spec.queues.join(",")})`, { worker: c.name });
          void this.touch(slot);
        },
        onLoadError: (c, module, error) => this.reportLoadError(c, module, error),
        onDeadline: (c, job) => this.onDeadline(c, job),
        onJobsEnded: (c, ended) => this.jobLines?.ended(ended, c.name),
        onExit: (c, exit) => void this.handleExit([...this.retiring].find((r) => r.child === c) ?? slot, c, exit),
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

  stateOf(child: ChildHandle): WorkerState {
    return {
      currentJobs: [...child.inFlight.keys()],
      done: child.done,
      failed: child.failed,
      state: this.stopping ? "stopping" : !child.ready ? "starting" : child.inFlight.size > 0 ? "busy" : "idle",
      // memory for the worker record (console, status): the child's from its pulses, ours read now
      ...(child.rss !== undefined ? { rss: child.rss } : {}),
      supervisorRss: process.memoryUsage.rss(),
    };
  }

  private async touch(slot: Slot): Promise<void> {
    if (!slot.child?.alive || !slot.info) return;
    try {
      await touchWorker(this.env, slot.info, this.stateOf(slot.child), this.registryTtlMs);
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
      await onChildExit(this, slot, child, exit);
    } catch (err) {
      this.log.error({ worker: child.name, err: describeError(err) }, "could not recover the jobs of a dead worker; the reaper will");
    } finally {
      this.recovering -= 1;
      if (slot.child === child) slot.child = undefined;
      this.retiring.delete(slot);
      this.maybeFinish();
    }
  }

  /** Called by child-exit.ts when a slot should get a new child (now or after a backoff). */
  scheduleRestart(slot: Slot, delayMs: number): void {
    if (this.stopping) return;
    if (delayMs <= 0) {
      slot.child = undefined;
      this.spawn(slot);
      return;
    }
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = undefined;
      if (!this.stopping) this.spawn(slot);
      this.maybeFinish();
    }, delayMs);
  }

  async forget(name: string): Promise<void> {
    try {
      await removeWorker(this.env, name);
    } catch {
      /* its entry expires by itself */
    }
  }

  private maybeFinish(): void {
    if (this.finished) return;
    const pending =
      this.recovering > 0 || this.failures.pending > 0 || this.liveSlots().length > 0 || this.groups.some((g) => g.slots.some((s) => s.restartTimer));
    if (pending) return;
    this.finished = true;
    this.graceTimer?.clear();
    this.maintenance.stop();
    this.cancels.stop();
    if (this.options.handleSignals) {
      process.off("SIGTERM", this.signalHandler);
      process.off("SIGINT", this.signalHandler);
    }
    // A requested stop is clean; otherwise we end because queues drained (burst) or because
    // groups gave up restarting, which must not look like success.
    const gaveUp = this.groups.some((g) => g.gaveUp);
    const code = this.stopping ? 0 : gaveUp ? 1 : 0;
    this.log.info({ code }, this.stopping ? "worker supervisor stopped" : gaveUp ? "worker groups gave up: nothing left running" : "queues drained");
    // The last worker.down events are in flight: done means they are written.
    void this.events.settled().then(() => this.resolveDone(code));
  }
}

/** Connect, fork the children, and return the running supervisor. */
export async function startSupervisor(options: SupervisorOptions): Promise<Supervisor> {
  const redis = await connectRedis(options.redisUrl, { connectionName: `supervisor:${process.pid}` });
  const supervisor = new Supervisor(options, redis);
  void supervisor.done.finally(() => redis.disconnect());
  await supervisor.start();
  return supervisor;
}
