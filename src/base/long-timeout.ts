/**
 * Node's timers hold at most 2^31-1 ms (about 24.8 days); a longer delay fires after 1 ms.
 * Every timer whose length comes from configuration (job and queue timeouts, a stop's grace
 * period, a lock's renewal) goes through here: long waits are re-armed in steps.
 */

/** The longest delay a Node timer keeps. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** `ms` as a delay a Node timer keeps (for repeating timers, where a shorter period is harmless). */
export function timerMs(ms: number): number {
  if (!Number.isFinite(ms)) return MAX_TIMER_MS;
  return Math.min(MAX_TIMER_MS, Math.max(0, ms));
}

export interface LongTimeout {
  clear(): void;
  /** Let the process exit while this is pending (like Timeout.unref). */
  unref(): LongTimeout;
}

/**
 * setTimeout for any delay: `fn` runs once `ms` have passed on `clock` (default Date.now), in
 * steps of at most MAX_TIMER_MS. Non-finite delays never fire.
 */
export function setLongTimeout(fn: () => void, ms: number, clock: () => number = Date.now): LongTimeout {
  const due = clock() + ms;
  let timer: NodeJS.Timeout | undefined;
  let unref = false;
  const arm = () => {
    const left = due - clock();
    if (left > MAX_TIMER_MS || !Number.isFinite(left)) {
      timer = setTimeout(arm, MAX_TIMER_MS);
    } else {
      timer = setTimeout(fn, Math.max(0, left));
    }
    if (unref) timer.unref();
  };
  arm();
  const handle: LongTimeout = {
    clear: () => clearTimeout(timer),
    unref: () => {
      unref = true;
      timer?.unref();
      return handle;
    },
  };
  return handle;
}
