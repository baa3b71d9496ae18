/**
 * Completions of one moment, sent together. A child running many jobs at once sees them end in
 * bursts (one Redis reply wakes several slots; their tasks end in the same turn of the event
 * loop): instead of one script call per job, the completions gathered until the event loop
 * moves on (setImmediate) go as one complete_many.lua call, which also takes the next jobs for
 * the slots that want one. One write, one script, one reply for the burst: Redis and this
 * process both spend less per job (bench/README.md has the figures).
 *
 * A completion with follow-up jobs goes alone through complete.lua (its follow-ups are pushed
 * in the same script), as does one that finds nothing to batch with.
 */
import type { QueueEnv } from "../../queue/context.js";
import { completeAndTake, completeJob, completeMany, type CompleteInput, type DequeueOptions } from "../../queue/lifecycle.js";
import type { Job } from "../../queue/types.js";

export interface CompletionResult {
  outcome: "finished" | "lease-lost";
  /** The job dequeued for this slot (null: none; only asked with dequeue options). */
  next: Job | null;
}

interface Pending {
  input: CompleteInput;
  dequeue: DequeueOptions | undefined;
  resolve(r: CompletionResult): void;
  reject(err: unknown): void;
}

/** Most completions per script call (its argument list grows by two per completion). */
export const MAX_BATCH = 64;

export class CompletionBatch {
  private pending: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly env: QueueEnv,
    private readonly maxBatch: number = MAX_BATCH,
  ) {}

  /**
   * Complete `input.job`; with `dequeue`, also lease a next job for the same slot. Resolves once
   * the call carrying it has been answered; a Redis error rejects every completion of that call.
   */
  complete(input: CompleteInput, dequeue: DequeueOptions | undefined): Promise<CompletionResult> {
    // follow-ups ride with their own completion; another worker's completion is not this batch's
    if ((input.followUps && input.followUps.length > 0) || (this.pending.length > 0 && input.worker !== this.pending[0]!.input.worker)) {
      return single(this.env, input, dequeue);
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ input, dequeue, resolve, reject });
      if (this.pending.length >= this.maxBatch) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.flush();
        });
      }
    });
  }

  private flush(): void {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    void (batch.length === 1 ? this.sendOne(batch[0]!) : this.send(batch));
  }

  private async sendOne(p: Pending): Promise<void> {
    try {
      p.resolve(await single(this.env, p.input, p.dequeue));
    } catch (err) {
      p.reject(err);
    }
  }

  private async send(batch: Pending[]): Promise<void> {
    // A child takes every job with the same options (JobLoop.dequeueOptions): the first one asked stands for all.
    const options = batch.find((p) => p.dequeue)?.dequeue;
    const dequeuers = options ? batch.filter((p) => p.dequeue).length : 0;
    try {
      const { outcomes, next } = await completeMany(this.env, {
        worker: batch[0]!.input.worker,
        items: batch.map((p) => ({ job: p.input.job, result: p.input.result })),
        ...(options ? { take: { options, count: dequeuers } } : {}),
      });
      let n = 0;
      batch.forEach((p, i) => {
        // jobs taken go to the slots that asked, in order; the rest were not there to take
        const dequeued = p.dequeue ? (next[n++] ?? null) : null;
        p.resolve({ outcome: outcomes[i] ?? "lease-lost", next: dequeued });
      });
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }
}

async function single(env: QueueEnv, input: CompleteInput, dequeue: DequeueOptions | undefined): Promise<CompletionResult> {
  if (!dequeue) return { outcome: await completeJob(env, input), next: null };
  return completeAndTake(env, input, dequeue);
}
