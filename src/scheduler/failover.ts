/**
 * What a follower watches while another daemon leads: the slot record. A live leader records
 * each slot within milliseconds of its time; a slot still unrecorded `graceMs` after it came
 * due means the leader stopped (killed, paused, cut off), and the follower takes the lease at
 * once (LeaderLease.takeOver, whose script re-checks the evidence in Redis) instead of waiting
 * for the lease ttl. The lease only saves work: the slot record keeps every slot to one run.
 *
 * Pure apart from a per-task memo: the first unrecorded slot of a task changes only when its
 * recorded slot does, so a follower with thousands of quiet tasks does not walk their crons
 * on every wake.
 */
import type { Redis } from "ioredis";
import type { Clock } from "../base/clock.js";
import type { ScheduledTask } from "../hooks/types.js";
import type { Keys } from "../redis/keys.js";
import type { LeaderLease } from "./leader.js";
import { nextFire } from "../schedule/next-fire.js";
import { readLastSlots } from "./guard-records.js";

/** How long a due slot may stay unrecorded before a follower takes over (hooks `failover_grace`). */
export const DEFAULT_FAILOVER_GRACE_MS = 1500;

export interface OverdueSlot {
  task: string;
  slot: number;
}

export interface WatchResult {
  /** The oldest slot left unrecorded past the grace: take the lease for it. */
  overdue?: OverdueSlot;
  /** When to look again (the next first-unrecorded slot plus the grace). */
  wakeAt?: number;
}

export interface FailoverWatch {
  /**
   * `lastSlots[i]` is the recorded slot of `tasks[i]` (the last-slots hash, null when none);
   * `firstSeen` is when this daemon first saw a task (a task nobody recorded yet counts from it).
   */
  check(tasks: readonly ScheduledTask[], lastSlots: ReadonlyArray<string | null>, firstSeen: (id: string) => number, now: number): WatchResult;
}

export function createFailoverWatch(zone: string, graceMs: number = DEFAULT_FAILOVER_GRACE_MS): FailoverWatch {
  const memo = new WeakMap<ScheduledTask, { raw: string | null; slot: number | undefined }>();
  const firstUnrecorded = (task: ScheduledTask, raw: string | null, firstSeen: number): number | undefined => {
    const known = memo.get(task);
    if (known && known.raw === raw) return known.slot;
    let slot: number | undefined;
    try {
      slot = nextFire(task.expression, zone, raw == null ? firstSeen : Number(raw));
    } catch {
      slot = undefined; // a schedule the leader cannot fire either; its error is the leader's to log
    }
    memo.set(task, { raw, slot });
    return slot;
  };
  return {
    check(tasks, lastSlots, firstSeen, now) {
      let overdue: OverdueSlot | undefined;
      let wakeAt: number | undefined;
      tasks.forEach((task, i) => {
        const slot = firstUnrecorded(task, lastSlots[i] ?? null, firstSeen(task.id));
        if (slot === undefined) return;
        if (now - slot >= graceMs) {
          if (!overdue || slot < overdue.slot) overdue = { task: task.id, slot };
        } else {
          wakeAt = Math.min(wakeAt ?? Infinity, slot + graceMs);
        }
      });
      return { ...(overdue ? { overdue } : {}), ...(wakeAt !== undefined ? { wakeAt } : {}) };
    },
  };
}

export interface FollowerOptions {
  redis: Redis;
  keys: Keys;
  clock: Clock;
  lease: LeaderLease;
  zone: string;
  graceMs?: number;
}

export interface Follower {
  /**
   * One look at the slot record: take the lead for a slot the leader left unrecorded past the
   * grace (then answer now, so the caller ticks at once), else answer when to look again.
   */
  watch(tasks: readonly ScheduledTask[], firstSeen: (id: string) => number | undefined): Promise<number | undefined>;
}

export function createFollower(o: FollowerOptions): Follower {
  const graceMs = o.graceMs ?? DEFAULT_FAILOVER_GRACE_MS;
  const failover = createFailoverWatch(o.zone, graceMs);
  return {
    async watch(tasks, firstSeen) {
      if (!tasks.length) return undefined;
      const now = o.clock();
      // the newer of the installation's record and the queue tag's (guard-records.ts)
      const lastSlots = await readLastSlots(o.redis, o.keys, tasks);
      const w = failover.check(tasks, lastSlots, (id) => firstSeen(id) ?? now, now);
      if (!w.overdue) return w.wakeAt;
      const task = tasks.find((t) => t.id === w.overdue!.task)!;
      if (await o.lease.takeOver(task, w.overdue.slot, graceMs)) return o.clock();
      // The evidence did not hold (the leader recorded the slot or ticked meanwhile): look again later.
      return o.clock() + graceMs;
    },
  };
}
