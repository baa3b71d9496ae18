/**
 * The leader lease: one daemon of an installation fires slots, the others stand by. A lease is
 * a key holding a random token (SET NX PX), renewed every ttl/3 by compare-and-set scripts;
 * when the leader dies its key expires and a follower (trying every ttl/3) takes over within
 * ttl + ttl/3, well inside two lease periods.
 *
 * Leadership only saves work: the slot record in enqueue.lua keeps every (task, slot) to one
 * enqueue even while two daemons briefly both believe they lead.
 *
 * Fencing: every grant (acquire or takeover) gets the next number of keys.schedulerFence(), and
 * the leader records slots with its number (enqueue.lua, scheduler_skip.lua refuse a stale
 * one). A follower that sees the leader stop firing takes the lease at once instead of waiting
 * for the ttl (takeOver, src/scheduler/failover.ts); the old leader, if it comes back from a
 * pause, finds its number stale and steps down (drop). On the per-queue layout the enqueues of a
 * queue's tag check the number against that tag's (tag-fences.ts): onGrant writes a new number
 * there before we lead, and each grant is numbered above the tags' highest (fenceFloor), which
 * a failover of `{prefix}`'s master may have left above the lease's own counter.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Redis } from "ioredis";
import type { Clock } from "../base/clock.js";
import { describeError } from "../base/errors.js";
import { appendEvent } from "../log/events.js";
import type { Keys } from "../redis/keys.js";
import { acquireLease, releaseLease, renewLease } from "../redis/lease.js";
import { readTagSlots, type GuardedTask } from "./guard-records.js";
import { scriptResult } from "../redis/script-results.js";
import { runScript } from "../redis/scripts.js";
import type { Logger } from "../log/logger.js";

export const DEFAULT_LEASE_MS = 10_000;

export type LeaseLogger = Pick<Logger, "info" | "warn">;

export interface LeaderLeaseOptions {
  redis: Redis;
  keys: Keys;
  clock: Clock;
  ttlMs?: number;
  /** Told on every change of leadership (true: we lead now). */
  onChange?: (leading: boolean) => void;
  logger?: LeaseLogger;
  /**
   * Awaited after each new grant (acquire or takeover), before we lead: the scheduler writes the
   * new number to the queues' tags there (tag-fences.ts). False: a tag holds a newer number, so
   * our lease is stale already and we do not lead.
   */
  onGrant?: (fence: number) => Promise<boolean>;
  /**
   * Read before each grant (acquire or takeover): the highest lease number the queues' tags
   * hold; the grant is numbered above it (lease_lib.lua grant_fenced). Absent on the
   * installation layout (no read, the lease scripts' arguments as before).
   */
  fenceFloor?: () => Promise<number>;
}

export interface LeaderLease {
  /** `host:pid:random`, stored as the lease value: status shows who leads. */
  readonly token: string;
  readonly ttlMs: number;
  /** True while we hold a lease that has not run out by our own clock. */
  isLeader(): boolean;
  /** The fence number of our lease (0 when we never held one). */
  fence(): number;
  /**
   * Take the lease from a leader that left `slot` of `task` unrecorded past `graceMs` and has
   * not ticked since: true when the evidence held in Redis and we lead now.
   */
  takeOver(task: GuardedTask, slot: number, graceMs: number): Promise<boolean>;
  /** Step down without touching Redis: a write was refused because our fence is stale. */
  drop(why: string): void;
  /** SET NX PX; true when we hold the lease now (also when we already did). */
  tryAcquire(): Promise<boolean>;
  /** Compare-and-set PEXPIRE; false (and leadership dropped) when the lease is not ours. */
  renew(): Promise<boolean>;
  /** Compare-and-set DEL; a successor can take over at once. */
  release(): Promise<boolean>;
  /** Acquire or renew every ttl/3 until stop(). */
  start(): void;
  /** Stop the loop and release the lease if we hold it. */
  stop(): Promise<void>;
}

export function newLeaseToken(): string {
  return `${hostname()}:${process.pid}:${randomBytes(6).toString("hex")}`;
}

export function createLeaderLease(options: LeaderLeaseOptions): LeaderLease {
  const { redis, keys, clock, onChange, logger } = options;
  const ttlMs = options.ttlMs ?? DEFAULT_LEASE_MS;
  const token = newLeaseToken();
  const key = keys.schedulerLeader();
  // Our own bound on the lease: it ran out ttl after the request that set it was sent, even if
  // Redis could not tell us (partition): never act on a lease that may have passed to another.
  let validUntil = 0;
  let leading = false;
  let fence = 0;
  const fenceKey = keys.schedulerFence();
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let inFlight: Promise<unknown> = Promise.resolve();

  // `leader`, not `token`: the event stream masks keys named like secrets (src/security/redact.ts).
  const event = (type: "leader.acquired" | "leader.lost", msg: string) =>
    appendEvent(redis, keys, { type, level: type === "leader.lost" ? "warn" : "info", at: clock(), msg, data: { leader: token } }).catch(() => {});

  const setLeading = (now: boolean, why: string) => {
    if (now === leading) return;
    leading = now;
    if (now) {
      logger?.info(`scheduler: leader (${token})`);
      void event("leader.acquired", `scheduler leader: ${token}`);
    } else {
      logger?.warn(`scheduler: no longer leader (${why})`);
      void event("leader.lost", `scheduler ${token} lost the lead: ${why}`);
    }
    onChange?.(now);
  };

  const granted = async (n: number): Promise<boolean> => {
    if (!options.onGrant || (await options.onGrant(n))) return true;
    logger?.warn(`scheduler: lease ${n} granted, but a queue's tag holds a newer number: not leading`);
    // Give the key back: held, our next try would only renew this refused number (and no other
    // daemon could get a new one); freed, the next grant reads the tags' numbers again.
    await releaseLease(redis, key, token).catch(() => {});
    return false;
  };

  const lease: LeaderLease = {
    token,
    ttlMs,
    isLeader: () => leading && clock() < validUntil,
    fence: () => fence,
    async tryAcquire() {
      if (leading && clock() < validUntil) return lease.renew();
      const floor = await options.fenceFloor?.();
      const sentAt = clock();
      const grant = await acquireLease(redis, key, token, ttlMs, { key: fenceKey, now: sentAt, floor });
      let n = grant.granted ? grant.fence : 0;
      if (n > 0 && n !== fence && !(await granted(n))) n = 0;
      if (n > 0) {
        validUntil = sentAt + ttlMs;
        fence = n;
        setLeading(true, "acquired");
      } else if (leading) {
        setLeading(false, "the lease ran out");
      }
      return n > 0;
    },
    async takeOver(task, slot, graceMs) {
      // The slot record on the task's queue's tag (the per-queue layout; no read otherwise),
      // which the script on `{prefix}` cannot see, and the grant's floor, before the script. A
      // leader recording the slot there between this read and the script is the race left: the
      // script's lastTick evidence refuses it once that leader's tick wrote its time; otherwise
      // an unneeded takeover, after which that leader's next write on a tag is refused (onGrant
      // raised the tags) and it steps down. The slot itself stays enqueued once (the guard).
      const [tagged, floor] = await Promise.all([readTagSlots(redis, keys, [task]), options.fenceFloor?.()]);
      const onTag = tagged?.[0];
      if (onTag != null && Number(onTag) >= slot) return false;
      const sentAt = clock();
      const keysOf = [key, fenceKey, keys.lastSlots(), keys.schedulerState()];
      const args = [token, ttlMs, sentAt, task.id, slot, Math.round(graceMs), ...(floor !== undefined ? [floor] : [])];
      const n = scriptResult.scheduler_lease_takeover(await runScript(redis, "scheduler_lease_takeover", keysOf, args));
      if (n === null || !(await granted(n))) return false;
      validUntil = sentAt + ttlMs;
      fence = n;
      logger?.warn(`scheduler: took the lead: slot ${new Date(slot).toISOString()} of ${task.id} was unrecorded ${sentAt - slot} ms after it came due`);
      if (leading) onChange?.(true);
      else setLeading(true, "took over");
      return true;
    },
    drop(why) {
      validUntil = 0;
      setLeading(false, why);
    },
    async renew() {
      const sentAt = clock();
      // Our clock ran past our bound while Redis kept the lease (a forward clock jump, a stall):
      // the tick loop saw no leadership and went to sleep; tell it we lead again.
      const lapsed = leading && sentAt >= validUntil;
      const ok = await renewLease(redis, key, token, ttlMs);
      if (ok) {
        validUntil = sentAt + ttlMs;
        if (lapsed) onChange?.(true);
      } else setLeading(false, "the lease expired or was taken");
      return ok;
    },
    async release() {
      const was = leading;
      validUntil = 0;
      const ok = await releaseLease(redis, key, token);
      if (was) setLeading(false, "released");
      return ok;
    },
    start() {
      if (running) return;
      running = true;
      const beat = async () => {
        try {
          if (leading) {
            if (!(await lease.renew())) await lease.tryAcquire();
          } else {
            await lease.tryAcquire();
          }
        } catch (err) {
          logger?.warn(`scheduler: leader lease: ${describeError(err)}`);
          if (leading && clock() >= validUntil) setLeading(false, "could not renew in time");
        }
      };
      const loop = () => {
        if (!running) return;
        inFlight = beat().finally(() => {
          if (running) timer = setTimeout(loop, Math.max(50, Math.floor(ttlMs / 3)));
        });
      };
      loop();
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      await inFlight.catch(() => {});
      if (leading) await lease.release().catch(() => {});
    },
  };
  return lease;
}

/** Who leads now, from Redis (for status and tests): the token and the lease's ms left. */
export async function readLeader(redis: Redis, keys: Keys): Promise<{ token: string; ttlMs: number } | undefined> {
  const [token, ttl] = await Promise.all([redis.get(keys.schedulerLeader()), redis.pttl(keys.schedulerLeader())]);
  return token ? { token, ttlMs: Math.max(0, ttl) } : undefined;
}
