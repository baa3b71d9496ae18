/**
 * The supervisor's side of one child process: forks it, keeps the table of jobs it runs (from
 * its pulses, pulse-journal.ts; from its leases in Redis when it falls silent) with a hard-deadline
 * timer per job, and says why it ended.
 *
 * It holds no policy: the supervisor decides what a timeout or a death means (fail, requeue,
 * restart). The handle only makes sure it knows, at exit, which jobs were in flight and whether
 * the death was one it asked for.
 */
import { jobTally } from "../../telemetry/job-tally.js";
import { fork, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { Clock } from "../../base/clock.js";
import { isChildMessage, type ChildInit, type ChildMessage, type JobEndNote, type RunningJobNote } from "../protocol.js";

/** Resolved relative to this module, so it works from dist/ wherever the package lives. */
export const CHILD_MODULE = new URL("../child/main.js", import.meta.url);

const MAX_TIMER_MS = 2 ** 31 - 1;

/** A job the child runs, as the supervisor watches it: its deadline timer is armed. */
export interface InFlightJob extends RunningJobNote {
  timer: NodeJS.Timeout | undefined;
}

/** Why the process ended, as far as the supervisor knows. */
export type EndCause =
  /** Killed by the supervisor because a job passed its hard deadline. */
  | { kind: "timeout"; jobIds: string[] }
  /** Killed by the supervisor during a forced shutdown. */
  | { kind: "shutdown" }
  /** Killed by the supervisor because a canceled job did not stop within the grace (cancel-relay.ts). */
  | { kind: "cancel"; jobIds: string[] }
  /** Exited on its own: after a stop request, a burst drain, or a crash (decided by the caller). */
  | { kind: "exit" };

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  cause: EndCause;
  livedMs: number;
  /** Time from "ready" to the end; undefined when the child never became ready. */
  readyMs: number | undefined;
  /** Jobs the child was running when it ended (their timers are already cleared). */
  inFlight: InFlightJob[];
  stopRequested: boolean;
  drained: boolean;
  fatal: string | undefined;
  /** The child's last stderr lines (empty when its output is inherited, not piped). */
  stderrTail: string[];
}

export interface ChildEvents {
  onReady(child: ChildHandle): void;
  onLoadError(child: ChildHandle, module: string, error: string): void;
  onDeadline(child: ChildHandle, job: InFlightJob): void;
  /** Jobs that ended, as the child reported them for the daemon's job lines (job-lines.ts). */
  onJobsEnded?(child: ChildHandle, ended: readonly JobEndNote[], finishedLines: ReadonlyArray<string | number>): void;
  onExit(child: ChildHandle, exit: ChildExit): void;
}

export interface ChildHandleOptions {
  init: ChildInit;
  clock: Clock;
  events: ChildEvents;
  /** Override the module to fork (tests). */
  module?: URL | string;
  /** Extra environment for the child. */
  env?: NodeJS.ProcessEnv;
  /** Node flags of the child (e.g. --max-old-space-size); added to this process's own. */
  execArgv?: string[];
  /** Each line the child prints; absent: its stdout/stderr are inherited as they are. */
  output?: (line: string, stream: "stdout" | "stderr") => void;
  /** The jobs leased to a worker, from Redis (leased-jobs.ts); absent: no silence detection. */
  lookupLeased?: (worker: string) => Promise<RunningJobNote[]>;
  /** Silence of a ready child that counts as silent (default DEFAULT_SILENCE_MS). */
  silenceMs?: number;
}

/**
 * A healthy child pulses every IDLE_PULSE_MS (250 ms): four missed pulses mean its event loop
 * is blocked or starved. A false alarm costs one Redis read, never a kill.
 */
export const DEFAULT_SILENCE_MS = 1000;

/** stderr lines kept for the death cause. */
const STDERR_TAIL_LINES = 20;
/** How long an exited child's output may take to reach its end before the exit is reported. */
const OUTPUT_DRAIN_MS = 1000;

export class ChildHandle {
  readonly name: string;
  readonly startedAt: number;
  readonly inFlight = new Map<string, InFlightJob>();
  done = 0;
  failed = 0;
  ready = false;
  /** Resident set size the child last reported (bytes). */
  rss: number | undefined;
  private readyAt: number | undefined;
  private readonly proc: ChildProcess;
  private cause: EndCause = { kind: "exit" };
  private stopRequested = false;
  private drained = false;
  private fatal: string | undefined;
  private exited = false;
  /** The child's last stderr lines: a crash says why there (death-cause.ts). */
  private readonly stderrTail: string[] = [];
  /** Set while onExit waits for the child's output to be read to its end. */
  private closed: (() => void) | undefined;
  private outputClosed = false;
  /** When the child was last heard from, and how many notes so far (silence detection). */
  private heardAt: number;
  private heard = 0;
  private silenceLooked = false;
  private readonly silenceTimer: NodeJS.Timeout;

  constructor(private readonly options: ChildHandleOptions) {
    this.name = options.init.worker;
    this.startedAt = options.clock();
    this.heardAt = this.startedAt;
    // A task's console output and a crash's stack must reach the operator: through the
    // supervisor's logger (and so its log file) when it asks for the lines, else inherited.
    const output = options.output;
    this.proc = fork(options.module ?? CHILD_MODULE, [], {
      stdio: ["ignore", output ? "pipe" : "inherit", output ? "pipe" : "inherit", "ipc"],
      env: { ...process.env, ...options.env },
      execArgv: [...process.execArgv, ...(options.execArgv ?? [])],
      serialization: "json",
    });
    if (output) {
      createInterface({ input: this.proc.stdout!, crlfDelay: Infinity }).on("line", (line) => output(line, "stdout"));
      createInterface({ input: this.proc.stderr!, crlfDelay: Infinity }).on("line", (line) => {
        this.stderrTail.push(line);
        if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift();
        output(line, "stderr");
      });
    }
    this.proc.on("message", (msg) => this.onMessage(msg));
    this.proc.on("exit", (code, signal) => this.onExit(code, signal));
    this.proc.on("close", () => {
      this.outputClosed = true;
      this.closed?.();
    });
    // An IPC write to a dying child fails with EPIPE; the exit event reports the death.
    this.proc.on("error", () => {});
    this.send(options.init);
    this.silenceTimer = setInterval(() => this.checkSilence(), Math.max(10, Math.round(this.silenceMs / 4)));
    this.silenceTimer.unref();
  }

  /** Silence (ms) after which a ready child counts as silent; pulses come every IDLE_PULSE_MS. */
  get silenceMs(): number {
    return this.options.silenceMs ?? DEFAULT_SILENCE_MS;
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  get alive(): boolean {
    return !this.exited;
  }

  /** The jobs this child holds leases on, from Redis (undefined: no lookup configured). */
  leasedNow(): Promise<RunningJobNote[] | undefined> {
    return this.options.lookupLeased ? this.options.lookupLeased(this.name) : Promise.resolve(undefined);
  }

  /** Ask the child to take no more jobs and exit once the running ones are done. */
  requestStop(): void {
    this.stopRequested = true;
    this.send({ type: "stop" });
  }

  /** Abort the signal of one running job: someone canceled it (its task should stop). */
  cancelJob(jobId: string): void {
    this.send({ type: "cancel", jobId });
  }

  /** Abort the signal of one running job whose lease was taken from this child (maintenance.ts). */
  leaseLost(jobId: string): void {
    this.send({ type: "lease-lost", jobId });
  }

  /** Abort the running jobs' signals ahead of a forced stop (cooperative tasks requeue themselves). */
  abortRunning(): void {
    this.stopRequested = true;
    this.send({ type: "abort" });
  }

  /** SIGKILL: the only stop that works on a child whose event loop is blocked. */
  kill(cause: Exclude<EndCause, { kind: "exit" }>): void {
    if (this.exited) return;
    if (this.cause.kind === "exit") this.cause = cause;
    this.proc.kill("SIGKILL");
  }

  private send(msg: unknown): void {
    if (this.exited || !this.proc.connected) return;
    try {
      this.proc.send(msg as object);
    } catch {
      /* the child is going away; onExit follows */
    }
  }

  private onMessage(raw: unknown): void {
    // A child sends the notes of one event-loop turn as one array (child/main.ts note()).
    if (Array.isArray(raw)) {
      for (const one of raw) this.onMessage(one);
      return;
    }
    if (!isChildMessage(raw)) return;
    const msg: ChildMessage = raw;
    this.heardAt = this.options.clock();
    this.heard += 1;
    this.silenceLooked = false;
    const { events } = this.options;
    switch (msg.type) {
      case "ready":
        this.ready = true;
        this.readyAt = this.options.clock();
        events.onReady(this);
        break;
      case "pulse":
        this.reconcile(msg.running);
        this.done += msg.finished;
        this.failed += msg.failed;
        if (msg.rss !== undefined) this.rss = msg.rss;
        if (msg.tally) jobTally.merge(msg.tally);
        if (msg.ended || msg.finishedLines) events.onJobsEnded?.(this, msg.ended ?? [], msg.finishedLines ?? []);
        break;
      case "load-error":
        events.onLoadError(this, msg.module, msg.error);
        break;
      case "drained":
        this.drained = true;
        break;
      case "fatal":
        this.fatal = msg.error;
        break;
    }
  }

  /**
   * Make the in-flight table the child's running set: new jobs get their deadline timer, jobs
   * no longer running lose theirs (including any the silence lookup added and that ended since).
   */
  private reconcile(running: RunningJobNote[]): void {
    const now = new Set<string>();
    for (const r of running) {
      now.add(r.id);
      if (!this.inFlight.has(r.id)) this.track(r);
    }
    for (const [id, job] of this.inFlight) {
      if (now.has(id)) continue;
      clearTimeout(job.timer);
      this.inFlight.delete(id);
    }
  }

  private track(r: RunningJobNote): void {
    const job: InFlightJob = { ...r, timer: undefined };
    this.inFlight.set(job.id, job);
    this.armDeadline(job);
  }

  /**
   * A ready child that has been silent for silenceMs has its event loop blocked (a task that
   * never yields), or is starved of CPU. Its pulses may not have told us of the job that blocks
   * it, so read its leases from Redis, once per silence, and watch their deadlines too. The
   * answer is used only if the child is still silent: a pulse that came meanwhile is newer.
   */
  private checkSilence(): void {
    const lookup = this.options.lookupLeased;
    if (!lookup || !this.ready || this.exited || this.silenceLooked) return;
    if (this.options.clock() - this.heardAt < this.silenceMs) return;
    this.silenceLooked = true;
    const heard = this.heard;
    lookup(this.name).then(
      (jobs) => {
        if (this.exited || this.heard !== heard) return;
        for (const r of jobs) if (!this.inFlight.has(r.id)) this.track(r);
      },
      () => {
        // Redis trouble: look again at the next check.
        if (this.heard === heard) this.silenceLooked = false;
      },
    );
  }

  /** Fire onDeadline at the job's deadline (re-armed in steps: setTimeout caps at ~24.8 days). */
  private armDeadline(job: InFlightJob): void {
    const wait = Math.max(0, job.deadline - this.options.clock());
    job.timer = setTimeout(() => {
      if (this.inFlight.get(job.id) !== job) return;
      if (wait > MAX_TIMER_MS) this.armDeadline(job);
      else this.options.events.onDeadline(this, job);
    }, Math.min(wait, MAX_TIMER_MS));
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.exited = true;
    clearInterval(this.silenceTimer);
    const inFlight = [...this.inFlight.values()];
    for (const job of inFlight) clearTimeout(job.timer);
    this.inFlight.clear();
    const report = () => {
      this.options.events.onExit(this, {
        code,
        signal,
        cause: this.cause,
        livedMs: this.options.clock() - this.startedAt,
        readyMs: this.readyAt === undefined ? undefined : this.options.clock() - this.readyAt,
        inFlight,
        stopRequested: this.stopRequested,
        drained: this.drained,
        fatal: this.fatal,
        stderrTail: [...this.stderrTail],
      });
    };
    // "exit" can come before the last output lines are read (a heap overflow's message among
    // them): wait for the streams to close, but not for long (a grandchild may hold them).
    if (!this.options.output || this.outputClosed) return report();
    const timer = setTimeout(() => this.closed?.(), OUTPUT_DRAIN_MS);
    this.closed = () => {
      this.closed = undefined;
      clearTimeout(timer);
      report();
    };
  }

}
