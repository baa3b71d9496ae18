/**
 * The one histogram bucket layout for job run and wait times, shared by /metrics and the
 * per-minute history in Redis (src/redis/lua/history_lib.lua holds the same list in ms; a test
 * checks they agree). Fixed, so minutes written months apart can be summed bucket by bucket.
 *
 * From 5 ms (a no-op job) to 1 h (the longest queue timeouts): the client library's default
 * stops at 10 s, which puts every real report job in +Inf.
 */
export const DURATION_BUCKETS_SECONDS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600,
];

/** Index of the bucket (non-cumulative, last = +Inf) a duration falls in. */
export function bucketIndex(seconds: number, bounds: readonly number[] = DURATION_BUCKETS_SECONDS): number {
  for (let i = 0; i < bounds.length; i++) if (seconds <= bounds[i]!) return i;
  return bounds.length;
}
