/**
 * Per-queue rate limits in the fetch loop (`queues.<name>.rateLimit: { max, per }`): a job of a
 * limited queue is dequeued only with a start slot from the shared limiter
 * (src/worker/child/rate-limit.ts), so the limit holds across every worker process and host.
 *
 * Before each dequeue the gate takes one slot per limited queue the worker serves; a queue whose
 * slot is refused "cools" for the limiter's retryInMs and is left out of the dequeue, so the
 * worker's other queues go on in their priority order meanwhile. After the dequeue the slots of
 * the queues that gave no job are released (the queue was empty, or a queue before it won), so
 * an idle queue never eats its own budget. Queues without a limit cost nothing: no Redis call.
 */
import type { Job } from "../../queue/types.js";
import type { QueueEnv } from "../../queue/context.js";
import { dequeue, type DequeueOptions } from "../../queue/lifecycle.js";
import { acquireRateSlot, releaseRateSlot } from "./rate-limit.js";

/** The queues one dequeue may take from, and the slots taken for the limited ones among them. */
export interface GateTicket {
  queues: string[];
  slots: Map<string, string>;
  /** When the slots were granted (ms, the env's clock). */
  at: number;
}

export class RateGate {
  /** Limited queue -> when it may be tried again (ms, the env's clock). */
  private readonly coolUntil = new Map<string, number>();
  /**
   * Dequeues that left a queue out (cooling or refused). A fetch round that left one out and
   * found nothing proves nothing about that queue: burst mode must not call it drained.
   */
  exclusions = 0;

  constructor(
    private readonly env: QueueEnv,
    private readonly queues: string[],
  ) {}

  /** True when at least one served queue has a rate limit (otherwise the gate is never consulted). */
  get active(): boolean {
    return this.queues.some((q) => this.env.queues[q]?.rateLimit !== undefined);
  }

  /** Served queues not cooling at `now`, in their order. */
  openQueues(now: number): string[] {
    return this.queues.filter((q) => (this.coolUntil.get(q) ?? 0) <= now);
  }

  /** Ms until the first cooling queue opens again; undefined when none cools. */
  cooldownMs(now: number): number | undefined {
    let next: number | undefined;
    for (const [q, until] of this.coolUntil) {
      if (until <= now) {
        this.coolUntil.delete(q);
        continue;
      }
      next = next === undefined ? until - now : Math.min(next, until - now);
    }
    return next;
  }

  /** Take a slot of every open limited queue; a refused one cools and is left out. */
  async open(): Promise<GateTicket> {
    const now = this.env.clock();
    const candidates = this.openQueues(now);
    const slots = new Map<string, string>();
    const results = await Promise.allSettled(
      candidates.map(async (q) => {
        if (this.env.queues[q]?.rateLimit === undefined) return true;
        const r = await acquireRateSlot(this.env, q, now);
        if (!r.ok) {
          this.coolUntil.set(q, now + Math.max(1, r.retryInMs));
          return false;
        }
        if (r.slot !== undefined) slots.set(q, r.slot);
        return true;
      }),
    );
    const refused = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (refused) {
      // Redis failed for one queue: give back what the others granted, then fail this fetch.
      await this.release(slots, undefined).catch(() => {});
      throw refused.reason;
    }
    const queues = candidates.filter((_, i) => (results[i] as PromiseFulfilledResult<boolean>).value);
    if (queues.length < this.queues.length) this.exclusions += 1;
    return { queues, slots, at: now };
  }

  /** After the dequeue: give back every slot but the one of the queue the job came from. */
  async close(ticket: GateTicket, job: Job | null): Promise<void> {
    await this.release(ticket.slots, job?.queue);
  }

  /**
   * How long an idle loop may block before looking again: its usual `blockSeconds`, shortened to
   * the first cooldown's end; `queues` are the ones worth waiting on (none: just sleep).
   */
  idleWait(blockSeconds: number): { queues: string[]; seconds: number } {
    const now = this.env.clock();
    const cool = this.cooldownMs(now);
    // BLPOP treats 0 as "forever": never go below 10 ms.
    const seconds = cool === undefined ? blockSeconds : Math.max(0.01, Math.min(blockSeconds, cool / 1000));
    return { queues: this.openQueues(now), seconds };
  }

  private async release(slots: Map<string, string>, used: string | undefined): Promise<void> {
    await Promise.all([...slots].filter(([q]) => q !== used).map(([q, slot]) => releaseRateSlot(this.env, q, slot)));
  }
}

/**
 * dequeue() behind the gate: without limited queues, a plain dequeue; otherwise take the slots,
 * dequeue from the open queues, and give back the unused slots. A failed release is reported,
 * not thrown: the job is already leased, and an unreleased slot only ages out of its window.
 *
 * The dequeue is stamped with the slots' grant time (one round trip earlier), so a job's
 * startedAt is the instant the limiter admitted it: the recorded start times obey the limit
 * exactly, however long the dequeue took to arrive on a loaded host.
 */
export async function gatedDequeue(
  env: QueueEnv,
  gate: RateGate,
  o: DequeueOptions,
  onError: (err: unknown) => void,
): Promise<Job | null> {
  if (!gate.active) return dequeue(env, o);
  const ticket = await gate.open();
  let job: Job | null = null;
  try {
    if (ticket.queues.length > 0) job = await dequeue({ ...env, clock: () => ticket.at }, { ...o, queues: ticket.queues });
    return job;
  } finally {
    await gate.close(ticket, job).catch(onError);
  }
}
