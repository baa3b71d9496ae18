/**
 * One full garbage collection once start-up work is done, so an idle daemon gives the memory
 * of its start-up walk back to the OS.
 *
 * Why: loading hooks and the first scheduler tick over thousands of cron entries allocate tens
 * of MB that are dead a second later; V8 grows the heap for them and, with no allocation while
 * idle, keeps those pages resident (10 000 entries: ~140 MB RSS idle, ~120 MB after one GC).
 * A full GC while idle is cheap (tens of ms, once) and V8's memory reducer then unmaps the
 * freed pages. gc() is not exposed without --expose-gc; setting the flag at run time and
 * reading `gc` in a fresh context is the known way to get it without a command-line flag.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let cached: (() => void) | undefined;

function getGc(): (() => void) | undefined {
  if (cached) return cached;
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === "function") return (cached = exposed);
  try {
    setFlagsFromString("--expose-gc");
    const fn: unknown = runInNewContext("gc");
    // Only this function keeps it: contexts created later (jiti, vm in tasks) stay as they were.
    setFlagsFromString("--no-expose-gc");
    if (typeof fn === "function") cached = fn as () => void;
  } catch {
    cached = undefined; // a runtime without the flag: nothing to release, nothing breaks
  }
  return cached;
}

/**
 * Keep V8's young generation at its initial size (2 x 1 MB semi-spaces) until the returned
 * function is called. Why: start-up allocates many objects that live on (tasks, schedules),
 * which makes V8 double the semi-spaces up to their 2 x 16 MB maximum, and V8 never shrinks
 * them again, even with a forced GC: with 10 000 cron entries that is 30 MB of RSS for nothing
 * while idle (measured: new_space 32 MB physical, 0.1 MB used). The growth factor is read at
 * each growth decision, so setting it at run time works; afterwards it goes back to V8's
 * default (2), so a daemon that becomes busy grows it as before.
 */
export function holdYoungGeneration(): () => void {
  try {
    setFlagsFromString("--semi-space-growth-factor=1");
  } catch {
    return () => {};
  }
  return () => setFlagsFromString("--semi-space-growth-factor=2");
}

/** Run one full GC now; false when this runtime gives no way to. */
export function collectGarbage(): boolean {
  const gc = getGc();
  if (!gc) return false;
  gc();
  return true;
}

/**
 * Collect once `settled()` turns true (polled every `everyMs`, given up after `maxMs`), e.g.
 * after the scheduler's first tick, then call `then`. Timers are unref'd: this never keeps the
 * process alive. Returns a cancel function, which skips the collection but still calls `then`.
 */
export function collectWhenSettled(settled: () => boolean, opts: { everyMs?: number; maxMs?: number; then?: () => void } = {}): () => void {
  const everyMs = opts.everyMs ?? 250;
  let left = Math.ceil((opts.maxMs ?? 60_000) / everyMs);
  let timer: NodeJS.Timeout | undefined;
  const poll = () => {
    if (settled() || --left <= 0) {
      timer = undefined;
      collectGarbage();
      opts.then?.();
      return;
    }
    timer = setTimeout(poll, everyMs).unref();
  };
  timer = setTimeout(poll, everyMs).unref();
  return () => {
    if (!timer) return;
    clearTimeout(timer);
    timer = undefined;
    opts.then?.(); // whatever waited for the collection (a held young generation) is let go
  };
}
