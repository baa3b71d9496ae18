/**
 * The abort signal of a running job, made only when the task asks for it
 * (currentJob().signal): an AbortController and a shutdown listener per job are measurable on the
 * hot path (bench: ~6 µs of a ~130 µs no-op job in the child), and most tasks never look.
 *
 * Aborting before anyone asked is remembered: a signal made later starts aborted, with the
 * same reason. Shutdown reaches every running job through one listener per shutdown signal.
 */
export class JobAbort {
  private controller: AbortController | undefined;
  private abortedWith: { reason: unknown } | undefined;

  /** The job's signal, made on first use. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortedWith) this.controller.abort(this.abortedWith.reason);
    }
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.abortedWith !== undefined;
  }

  get reason(): unknown {
    return this.abortedWith?.reason;
  }

  abort(reason: unknown): void {
    if (this.abortedWith) return;
    this.abortedWith = { reason };
    this.controller?.abort(reason);
  }
}

/** The running jobs' aborts, per shutdown signal: one listener aborts them all. */
const runningBySignal = new WeakMap<AbortSignal, Set<JobAbort>>();

/** Track `abort` while its job runs: shutdown aborts it (at once if shutdown already began). */
export function followShutdown(shutdown: AbortSignal, abort: JobAbort): () => void {
  let running = runningBySignal.get(shutdown);
  if (!running) {
    const set = new Set<JobAbort>();
    running = set;
    runningBySignal.set(shutdown, set);
    shutdown.addEventListener("abort", () => set.forEach((a) => a.abort(shutdown.reason)), { once: true });
  }
  if (shutdown.aborted) abort.abort(shutdown.reason);
  running.add(abort);
  const set = running;
  return () => set.delete(abort);
}
