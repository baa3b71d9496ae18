/**
 * When to restart a child process that died, and when to give up (pure; the supervisor feeds it
 * deaths and follows its answers).
 *
 * A child that dies before it is ready to take jobs, or within `unstableMs` of becoming ready, is
 * "unstable" (it crashes while loading, or at once on every job): restarts back off exponentially, and after `maxUnstable` unstable restarts
 * in a row the group stops restarting instead of crash-looping silently. A child that lived
 * longer resets the count: a rare crash of a long-lived child is restarted at once.
 * Kills the supervisor did on purpose (hard timeouts) are not deaths of this kind at all.
 */
export interface RestartPolicyOptions {
  unstableMs: number;
  maxUnstable: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicyOptions = {
  unstableMs: 1000,
  maxUnstable: 16,
  baseDelayMs: 100,
  maxDelayMs: 10_000,
};

export type RestartDecision =
  | { action: "restart"; delayMs: number; unstable: boolean; unstableCount: number }
  | { action: "give-up"; unstableCount: number };

export class RestartPolicy {
  private unstableInARow = 0;

  constructor(private readonly options: RestartPolicyOptions = DEFAULT_RESTART_POLICY) {}

  /**
   * A child died unexpectedly, `readyMs` after it became ready (undefined: it never did).
   * Restart it (after how long) or give up?
   */
  onDeath(readyMs: number | undefined): RestartDecision {
    const unstable = readyMs === undefined || readyMs < this.options.unstableMs;
    if (!unstable) {
      this.unstableInARow = 0;
      return { action: "restart", delayMs: 0, unstable: false, unstableCount: 0 };
    }
    this.unstableInARow += 1;
    // maxUnstable restarts are tried; the death after the last of them ends the group.
    if (this.unstableInARow > this.options.maxUnstable) {
      return { action: "give-up", unstableCount: this.unstableInARow };
    }
    const delayMs = Math.min(this.options.baseDelayMs * 2 ** (this.unstableInARow - 1), this.options.maxDelayMs);
    return { action: "restart", delayMs, unstable: true, unstableCount: this.unstableInARow };
  }

  /** Consecutive unstable deaths so far. */
  get unstableCount(): number {
    return this.unstableInARow;
  }
}
