/**
 * The dequeue loop of one child process: dequeue jobs from the queues (priority order or round robin)
 * up to `concurrency` at once, run each, and block on the wake markers when there is nothing.
 *
 * This is the hot path, so it talks to Redis directly (its own connection for commands, another
 * for the blocking wait) and tells the supervisor only what it needs to watch (see run-job.ts).
 */
import type { Redis } from "ioredis";
import type { Job } from "../../queue/types.js";
import type { QueueEnv } from "../../queue/context.js";
import { requeueJob, waitAndDequeue, waitForJobs, type DequeueOptions } from "../../queue/lifecycle.js";
import { asCluster } from "../../redis/cluster.js";
import { describeError } from "../../base/errors.js";
import type { ChildInit } from "../protocol.js";
import { gatedDequeue, RateGate } from "./rate-gate.js";
import { requeueLostDequeues } from "./lost-dequeues.js";
import { sharedTag } from "../../queue/take.js";
import { WakeWaits } from "./wake-waits.js";

/** The loop runs with the child's init settings (burst: return "drained" once nothing is left). */
export interface JobLoopOptions extends Pick<ChildInit, "worker" | "queues" | "strategy" | "concurrency" | "leaseMs" | "blockSeconds" | "burst"> {
  env: QueueEnv;
  /** A connection of its own: waitForJobs blocks it. */
  blocking: Redis;
  /**
   * Run one job. With `dequeueNext`, asked once the task has ended: when it gives options, also lease
   * the next job in the completion's round trip and resolve to it (null: none); the loop runs
   * it in the same slot.
   */
  runJob(job: Job, dequeueNext?: () => DequeueOptions | undefined): Promise<Job | null | void>;
  /** Redis trouble while dequeueing (the loop keeps trying). */
  onError(err: unknown): void;
  /** Jobs leased by a dequeue whose answer was lost, given back (lost-dequeues.ts). */
  onLostRequeued?(ids: string[]): void;
}

export type LoopEnd = "stopped" | "drained";

/** Pause after a failed dequeue, so a Redis outage is not a busy loop. */
const DEQUEUE_RETRY_MS = 500;
/** How long a stopping loop waits for the answer of the wait it cut short (waitAndDequeue). */
const UNBLOCK_ANSWER_MS = 2_000;
export const STOPPED_BEFORE_RUN_REASON = "its worker was stopping when the wait that leased it ended; it never ran";

export class JobLoop {
  private readonly running = new Set<Promise<void>>();
  private stopping = false;
  private wakeStop: (() => void) | undefined;
  /** Per-queue rate limits (rate-gate.ts); inert when no served queue has one. */
  private readonly gate: RateGate;
  /** The last dequeue filled every slot it asked for, or the last completion dequeued a job. */
  private backlog = false;
  /** What a completion dequeues the next job with (made once). */
  private dequeueOpts: DequeueOptions | undefined;
  /** Ids of the jobs this loop runs. */
  private readonly runningIds = new Set<string>();
  /** Completions that may lease the next job and have not answered yet. */
  private dequeuesInFlight = 0;
  /** The command connection dropped since the leases were last checked (lost-dequeues.ts). */
  private leasesInDoubt = false;
  /** checkLeases() is reading the leases: no completion may dequeue a job meanwhile. */
  private checking = false;
  /** The idle wait that also dequeues (waitAndDequeue), while its answer is out. */
  private pendingWake: Promise<{ woken: boolean; job: Job | null }> | undefined;
  /** The blocking connection's client id (CLIENT UNBLOCK on stop); undefined after a reconnect. */
  private blockingId: number | undefined;
  /** The last idle wait's own dequeue found the queues empty: wait again without dequeueing first. */
  private seenEmpty = false;
  /** The idle wait over queues of several job tags (one BLPOP per tag); made when first needed. */
  private wakeWaits: WakeWaits | undefined;

  constructor(private readonly o: JobLoopOptions) {
    this.gate = new RateGate(o.env, o.queues);
    // Any reply in flight when the connection closed may have leased a job we never heard of
    // (the blocking connection's too: its idle wait dequeues).
    o.env.redis.on("close", () => (this.leasesInDoubt = true));
    o.blocking.on("close", () => {
      this.leasesInDoubt = true;
      this.blockingId = undefined;
    });
  }

  get runningCount(): number {
    return this.running.size;
  }

  /** Stop taking jobs; run() resolves once the running ones are done. */
  stop(): void {
    this.stopping = true;
    this.wakeStop?.();
  }

  async run(): Promise<LoopEnd> {
    const o = this.o;
    // How many dequeues to send at once: 1 when the queues look empty (one call per wake-up, no
    // herd), doubling up to the free slots while every call returns a job (a backlog), so a
    // wide child is not held to one round trip per job.
    let width = 1;
    while (!this.stopping) {
      if (this.leasesInDoubt && this.dequeuesInFlight === 0) await this.checkLeases();
      const free = o.concurrency - this.running.size;
      if (free <= 0) {
        await this.untilStopOr(Promise.race(this.running));
        continue;
      }
      if (this.seenEmpty && !o.burst) {
        this.seenEmpty = false;
        if (await this.waitAndTake()) width = Math.min(2, o.concurrency);
        continue;
      }
      const n = Math.min(free, width);
      let jobs: Array<Job | null>;
      const exclusions = this.gate.exclusions;
      try {
        jobs = await Promise.all(
          Array.from({ length: n }, () => gatedDequeue(o.env, this.gate, { queues: o.queues, worker: o.worker, leaseMs: o.leaseMs, strategy: o.strategy }, o.onError)),
        );
      } catch (err) {
        // A dequeue that succeeded beside a failed one keeps its lease until it lapses; the
        // reaper requeues it (rare: only when Redis fails mid-batch).
        o.onError(err);
        width = 1;
        await this.untilStopOr(delay(DEQUEUE_RETRY_MS));
        continue;
      }
      const found = jobs.filter((j): j is Job => j !== null);
      this.backlog = found.length === n;
      for (const job of found) this.start(job);
      if (found.length === n) {
        width = Math.min(width * 2, o.concurrency);
        continue;
      }
      width = 1;
      if (found.length > 0) continue;
      // A rate-limited queue that is cooling down may still hold jobs: wait on the others, and
      // no longer than its cooldown (rate-gate.ts).
      const idle = this.gate.idleWait(o.blockSeconds);
      const cooling = idle.queues.length < o.queues.length;
      // A queue was left out of this round but its cooldown is already over: look again now.
      if (!cooling && this.gate.exclusions !== exclusions) continue;
      if (o.burst) {
        if (this.running.size === 0 && !cooling) return "drained";
        // A running job may enqueue follow-ups: look again when one ends (or a cooldown does).
        await this.untilStopOr(Promise.race([...this.running, ...(cooling ? [delay(idle.seconds * 1000)] : [])]));
        continue;
      }
      if (this.takesOnWake()) {
        if (await this.waitAndTake()) width = Math.min(2, o.concurrency);
        continue;
      }
      try {
        if (idle.queues.length === 0) await this.untilStopOr(delay(idle.seconds * 1000));
        else await this.untilStopOr(this.waitForWake(idle.queues, idle.seconds));
      } catch (err) {
        if (!this.stopping) {
          o.onError(err);
          await this.untilStopOr(delay(DEQUEUE_RETRY_MS));
        }
      }
    }
    await this.settleWake();
    this.wakeWaits?.close();
    // Again while any is left: a run that ends may have taken the next job with its completion.
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
    return "stopped";
  }

  /** The idle wait: one BLPOP when the queues share a job tag, else one per tag (wake-waits.ts). */
  private waitForWake(queues: string[], seconds: number): Promise<unknown> {
    if (sharedTag(this.o.env.keys, queues) !== undefined) return waitForJobs(this.o.blocking, this.o.env, queues, seconds);
    return (this.wakeWaits ??= new WakeWaits(this.o.blocking, this.o.env)).wait(queues, seconds);
  }

  /**
   * The idle wait brings the job with the wake-up (waitAndDequeue) when nothing else decides
   * what may be dequeued: no rate limit (the gate hands out slots before each dequeue), no
   * cluster (the wait and the dequeue must reach the same node over one connection) and queues
   * of one job tag (one script, one BLPOP).
   */
  private takesOnWake(): boolean {
    return !this.gate.active && !asCluster(this.o.blocking) && !asCluster(this.o.env.redis) && sharedTag(this.o.env.keys, this.o.queues) !== undefined;
  }

  /** Wait for a wake-up and take a job with it; true when a job was taken and started. */
  private async waitAndTake(): Promise<boolean> {
    const o = this.o;
    try {
      // for CLIENT UNBLOCK on stop; a user whose ACL refuses CLIENT still waits (settleWake)
      this.blockingId ??= await o.blocking.client("ID").then(Number, () => undefined);
      if (this.stopping) return false;
      const pending = waitAndDequeue(o.blocking, o.env, { queues: o.queues, worker: o.worker, leaseMs: o.leaseMs, strategy: o.strategy }, o.blockSeconds);
      this.pendingWake = pending;
      // a failed wait rejects here; settleWake() deals with the answer once stopping
      pending.catch(() => {});
      await this.untilStopOr(pending);
      if (this.stopping) return false;
      this.pendingWake = undefined;
      const { job } = await pending;
      if (!job) {
        this.seenEmpty = true;
        return false;
      }
      this.backlog = true;
      this.start(job);
      return true;
    } catch (err) {
      this.pendingWake = undefined;
      if (!this.stopping) {
        o.onError(err);
        await this.untilStopOr(delay(DEQUEUE_RETRY_MS));
      }
      return false;
    }
  }

  /**
   * Stopping while the idle wait is out: end it now (CLIENT UNBLOCK from the command connection;
   * its dequeue then runs at once) and give back the job it may have leased, which never ran.
   */
  private async settleWake(): Promise<void> {
    const pending = this.pendingWake;
    if (!pending) return;
    this.pendingWake = undefined;
    const o = this.o;
    try {
      const id = this.blockingId;
      const unblocked = id === undefined ? 0 : await Promise.race([o.env.redis.client("UNBLOCK", id).then(Number, () => 0), delay(UNBLOCK_ANSWER_MS).then(() => 0)]);
      // not unblocked (no id, refused, or already answering): the wait ends by itself within blockSeconds
      const bound = unblocked === 1 ? UNBLOCK_ANSWER_MS : UNBLOCK_ANSWER_MS + o.blockSeconds * 1000;
      const answer = await Promise.race([pending, delay(bound).then(() => undefined)]);
      if (answer?.job) await requeueJob(o.env, { job: answer.job, worker: o.worker, reason: STOPPED_BEFORE_RUN_REASON });
    } catch (err) {
      // Redis is away: a job it leased is reaped once its lease lapses.
      o.onError(err);
    }
  }

  private start(job: Job): void {
    this.runningIds.add(job.id);
    let taking = false;
    const p: Promise<void> = this.o
      .runJob(job, () => {
        const options = this.dequeueOptions();
        if (options && !taking) {
          taking = true;
          this.dequeuesInFlight++;
        }
        return options;
      })
      .then(
        (next) => {
          if (next) this.start(next);
          else if (next === null) this.backlog = false;
        },
        (err) => this.o.onError(new Error(`job ${job.id}: ${describeError(err)}`, { cause: err })),
      )
      .finally(() => {
        if (taking) this.dequeuesInFlight--;
        this.runningIds.delete(job.id);
        this.running.delete(p);
      });
    this.running.add(p);
  }

  /**
   * After the connection dropped: give back the jobs leased to this worker that it does not run
   * (lost-dequeues.ts). Called only while nothing of this loop can be leasing a job; on failure
   * (Redis still away) it is tried again next round.
   */
  private async checkLeases(): Promise<void> {
    this.leasesInDoubt = false;
    this.checking = true;
    try {
      const ids = await requeueLostDequeues(this.o.env, this.o.worker, this.o.queues, this.runningIds);
      if (ids.length > 0) this.o.onLostRequeued?.(ids);
    } catch (err) {
      this.leasesInDoubt = true;
      this.o.onError(err);
      await this.untilStopOr(delay(DEQUEUE_RETRY_MS));
    } finally {
      this.checking = false;
    }
  }

  /**
   * Take the next job with the completion only while there is a backlog (an idle queue would
   * pay an empty dequeue per job), never while stopping, and never past a rate limit (the gate
   * hands out slots before each dequeue).
   */
  private dequeueOptions(): DequeueOptions | undefined {
    if (!this.backlog || this.stopping || this.gate.active || this.checking) return undefined;
    const o = this.o;
    return (this.dequeueOpts ??= { queues: o.queues, worker: o.worker, leaseMs: o.leaseMs, strategy: o.strategy });
  }

  /** Wait for `p`, or return early when stop() is called. */
  private async untilStopOr(p: Promise<unknown>): Promise<void> {
    if (this.stopping) return;
    const stopped = new Promise<void>((resolve) => (this.wakeStop = resolve));
    try {
      await Promise.race([p, stopped]);
    } finally {
      this.wakeStop = undefined;
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
