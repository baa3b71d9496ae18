/**
 * A bound on how many bodies of a `describe.concurrent` run at once, below vitest's own
 * maxConcurrency: process tests mostly wait (a load bound, a daemon's next slot), so running
 * them side by side shortens a file, but each one also starts node, and on a 2-core machine too
 * many start-ups at once stretch every bound the tests measure.
 */
export function boundedPool(size: number): <T>(body: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    running--;
    waiting.shift()?.();
  };
  return async (body) => {
    if (running >= size) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await body();
    } finally {
      release();
    }
  };
}
