/**
 * In-job pacing: `throttle(items, { perMinute }, fn)` runs fn on each item, one at a time, at
 * most `perMinute` per minute, and returns the results in order.
 *
 * The reference sleeps `interval - elapsed` after each item; every sleep overshoots a little
 * (timer granularity, the loop's own work), and the error accumulates: 1 000 items at 60/min
 * end up seconds late. Here item i is scheduled at `start + i * interval`, so an overshoot on one
 * item is absorbed by the next sleep and the schedule does not drift.
 *
 * When fn is slower than the interval, later items fall behind their slots. We do not let them
 * burst to catch up: the schedule is never more than one interval behind the present, so after a
 * slow item at most one extra item starts at once, then the pace is back to one per interval.
 * Consequence: over any window the count is at most the configured rate plus one.
 */
import { systemClock, type Clock } from "../base/clock.js";
import { EnqueueError } from "../base/errors.js";

export interface ThrottleOptions {
  perMinute: number;
  clock?: Clock;
  /** How to wait; injected in tests together with `clock` so no real time passes. */
  sleep?: (ms: number) => Promise<void>;
  /** Stops between items (the current item finishes); throttle then rejects with the reason. */
  signal?: AbortSignal;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function throttle<T, R>(
  items: Iterable<T> | AsyncIterable<T>,
  options: ThrottleOptions,
  fn: (item: T, index: number) => R | Promise<R>,
): Promise<Awaited<R>[]> {
  const { perMinute } = options;
  if (typeof perMinute !== "number" || !Number.isFinite(perMinute) || perMinute <= 0) {
    throw new EnqueueError("BAD_ARGUMENT", `throttle: perMinute must be a positive number, got ${String(perMinute)}`);
  }
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  const interval = 60_000 / perMinute;
  const results: Awaited<R>[] = [];
  let slot = clock(); // when the next item may start
  let index = 0;
  for await (const item of items) {
    options.signal?.throwIfAborted();
    const now = clock();
    if (now < slot) {
      await sleep(slot - now);
      options.signal?.throwIfAborted();
    } else if (now - slot > interval) {
      slot = now - interval; // fell behind: catch up by one item at most, never burst
    }
    results.push(await fn(item, index++));
    slot += interval;
  }
  return results;
}
