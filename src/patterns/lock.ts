/**
 * Distributed locks: `runWithLock(name, fn, { ttl, wait })`.
 *
 * What the reference hand-rolls and we do not: its lock is a constant "1" deleted
 * unconditionally in `finally`, so a holder that outlived its timeout deletes the lock someone
 * else took since, and two copies then run at once. Here the lock holds a random token, only
 * its owner can renew or release it (compare-and-pexpire / compare-and-delete Lua), it is
 * renewed every ttl/3 while fn runs, and a holder that loses it anyway (event loop blocked past
 * the ttl, Redis unreachable) is told through `signal`, so it can stop before doing harm.
 * "Not acquired" is an explicit `{ acquired: false }`, never a silent null.
 */
import { timerMs } from "../base/long-timeout.js";
import { randomBytes } from "node:crypto";
import { SchedulerError } from "../base/errors.js";
import { systemClock } from "../base/clock.js";
import { acquireLease, releaseLease, renewLease } from "../redis/lease.js";
import { EnqueueError } from "../base/errors.js";
import { patternContext, type PatternContext, type RedisTarget } from "./context.js";
import { channelHub } from "./channel-hub.js";

export interface LockOptions extends RedisTarget {
  /** Lease in ms; renewed every ttl/3 while fn runs. Default 30 000. */
  ttl?: number;
  /** Ms to wait for a busy lock (woken by the holder's release). Default 0: give up at once. */
  wait?: number;
  /**
   * Ms between two tries while waiting, fixed. Polling is only the safety net behind the
   * release notification; by default it backs off from 25 to 500 ms.
   */
  poll?: number;
}

/** What fn receives: `signal` aborts when the lock is lost while fn still runs. */
export interface LockScope {
  signal: AbortSignal;
}

export type LockResult<T> = { acquired: true; value: T; lost: boolean } | { acquired: false };

/** The reason `signal` aborts with. */
export class LockLostError extends SchedulerError {
  constructor(name: string, why: string) {
    super("LOCK_LOST", `lock "${name}" lost while its holder was running: ${why}`, {
      hint: "stop writing; raise `ttl` if the holder blocks the event loop for long",
    });
  }
}

/** Thrown by a `withLock(..., { ifLocked: "throw" })` wrapper when the lock stays busy. */
export class LockBusyError extends SchedulerError {
  constructor(name: string) {
    super("LOCK_BUSY", `lock "${name}" is held by another holder`, { hint: "retry later, or pass `wait`" });
  }
}

export const DEFAULT_LOCK_TTL_MS = 30_000;
/** Waiting and renewal run on real timers, so they measure real time (not an injected clock). */
const now = systemClock;
/** Polling is only the safety net behind the release notification; it backs off to this. */
const MAX_POLL_MS = 500;

function checkOptions(name: string, ttl: number, wait: number, poll: number | undefined): void {
  if (typeof name !== "string" || name.length === 0) {
    throw new EnqueueError("BAD_ARGUMENT", "runWithLock: lock name must be a non-empty string");
  }
  if (!Number.isInteger(ttl) || ttl < 10) {
    throw new EnqueueError("BAD_ARGUMENT", `runWithLock("${name}"): ttl must be an integer >= 10 (ms), got ${ttl}`);
  }
  if (!Number.isFinite(wait) || wait < 0) {
    throw new EnqueueError("BAD_ARGUMENT", `runWithLock("${name}"): wait must be >= 0 (ms), got ${wait}`);
  }
  if (poll !== undefined && (!Number.isFinite(poll) || poll < 1)) {
    throw new EnqueueError("BAD_ARGUMENT", `runWithLock("${name}"): poll must be >= 1 (ms), got ${poll}`);
  }
}

/** undefined: acquired; else the ms the holder's lease has left (PTTL: 0 just before it lapses, -1 none). */
async function tryAcquire(ctx: PatternContext, name: string, token: string, ttl: number): Promise<number | undefined> {
  const grant = await acquireLease(ctx.redis, ctx.keys.lock(name), token, ttl);
  return grant.granted ? undefined : grant.heldMs;
}

/** Take the lock, waiting up to `wait` ms; false when it stayed busy. */
async function acquire(
  ctx: PatternContext,
  name: string,
  token: string,
  ttl: number,
  wait: number,
  poll: number | undefined,
): Promise<boolean> {
  if (wait === 0) return (await tryAcquire(ctx, name, token, ttl)) === undefined;
  let wake: () => void = () => {};
  // Listen before the first try: a release between the try and the listen would be missed.
  const unlisten = await channelHub(ctx.redis).listen(ctx.keys.lockReleased(name), () => wake());
  try {
    const deadline = now() + wait;
    let backoff = poll ?? 25;
    for (;;) {
      const holderLeft = await tryAcquire(ctx, name, token, ttl);
      if (holderLeft === undefined) return true;
      const remaining = deadline - now();
      if (remaining <= 0) return false;
      // Wake on release, on the holder's lease running out, or on the backoff tick.
      const delay = Math.max(1, Math.min(remaining, holderLeft >= 0 ? holderLeft : Infinity, backoff));
      if (poll === undefined) backoff = Math.min(backoff * 2, MAX_POLL_MS);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    await unlisten();
  }
}

/** Renew every ttl/3; abort `controller` when the lock is gone or cannot be confirmed for a ttl. */
function startRenewal(ctx: PatternContext, name: string, token: string, ttl: number, controller: AbortController) {
  let confirmedAt = now();
  let busy = false;
  const timer = setInterval(() => {
    if (busy || controller.signal.aborted) return;
    busy = true;
    renewLease(ctx.redis, ctx.keys.lock(name), token, ttl)
      .then((ok) => {
        if (ok) confirmedAt = now();
        else controller.abort(new LockLostError(name, "another holder took it or it expired"));
      })
      .catch((err: unknown) => {
        if (now() - confirmedAt >= ttl) {
          controller.abort(new LockLostError(name, `could not renew for ${ttl} ms (${(err as Error).message})`));
        }
      })
      .finally(() => {
        busy = false;
        if (controller.signal.aborted) clearInterval(timer);
      });
  }, Math.max(1, timerMs(Math.floor(ttl / 3))));
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Run fn while holding the lock `name`. `{ acquired: false }` when it stayed busy for `wait` ms;
 * `{ acquired: true, value, lost }` otherwise (`lost`: the lease lapsed while fn ran, and the
 * lock was left to whoever holds it now). fn's own error is rethrown after the release.
 */
export async function runWithLock<T>(
  name: string,
  fn: (scope: LockScope) => T | Promise<T>,
  options: LockOptions = {},
): Promise<LockResult<Awaited<T>>> {
  const ttl = options.ttl ?? DEFAULT_LOCK_TTL_MS;
  const wait = options.wait ?? 0;
  checkOptions(name, ttl, wait, options.poll);
  const ctx = patternContext(`runWithLock("${name}")`, options);
  const token = randomBytes(16).toString("hex");
  if (!(await acquire(ctx, name, token, ttl, wait, options.poll))) return { acquired: false };

  const controller = new AbortController();
  const stopRenewal = startRenewal(ctx, name, token, ttl, controller);
  let value: Awaited<T>;
  try {
    value = await fn({ signal: controller.signal });
  } finally {
    stopRenewal();
    const released = await releaseLease(ctx.redis, ctx.keys.lock(name), token, ctx.keys.lockReleased(name)).catch(() => false); // Redis gone: the lease expires by itself
    if (!released && !controller.signal.aborted) {
      controller.abort(new LockLostError(name, "it had expired by the time fn finished"));
    }
  }
  return { acquired: true, value, lost: controller.signal.aborted };
}

export interface WithLockOptions<A> extends LockOptions {
  /** "return" (default): the wrapper returns `{ acquired: false }`; "throw": it throws LockBusyError
   *  (inside a job, that fails the attempt so its retry policy runs it again later). */
  ifLocked?: "return" | "throw";
  /** Lock name per call, e.g. `(kw) => \`sync:${kw.warehouse}\`` (default: the fixed name). */
  nameFor?: (arg: A) => string;
}

/**
 * Decorator form: `export const sync_inventory = withLock("sync_inventory")(async (kwargs, { signal }) => ...)`.
 * The wrapped function takes the task's one kwargs argument and returns the LockResult.
 */
export function withLock<A = Record<string, unknown>>(name: string, options: WithLockOptions<A> = {}) {
  return <R>(fn: (arg: A, scope: LockScope) => R | Promise<R>) =>
    async (arg: A): Promise<LockResult<Awaited<R>>> => {
      const lockName = options.nameFor ? options.nameFor(arg) : name;
      const result = await runWithLock(lockName, (scope) => fn(arg, scope), options);
      if (!result.acquired && options.ifLocked === "throw") throw new LockBusyError(lockName);
      return result as LockResult<Awaited<R>>;
    };
}
