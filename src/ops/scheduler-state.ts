/**
 * The scheduler as `status` shows it: who leads, whether it is enabled or paused (and since when,
 * by whom), when it last ticked. Read-only, through the scheduler's own readers.
 */
import type { QueueEnv } from "../queue/context.js";
import { readLeader } from "../scheduler/leader.js";
import { describeSwitches, readSwitches, type SchedulerSwitches } from "../scheduler/switches.js";

export interface SchedulerOverview extends SchedulerSwitches {
  /** "running", "paused" or "disabled". */
  state: string;
  /** Leader lease token (host:pid:...), undefined when no scheduler leads. */
  leader?: string;
  /** Milliseconds left on the leader's lease. */
  leaderTtlMs?: number;
  /** ms of the last tick (any daemon's; the tick loop records it in the state hash). */
  lastTick?: number;
}

export async function readSchedulerState(ctx: Pick<QueueEnv, "redis" | "keys">): Promise<SchedulerOverview> {
  const [switches, leader, lastTick] = await Promise.all([
    readSwitches(ctx.redis, ctx.keys),
    readLeader(ctx.redis, ctx.keys),
    ctx.redis.hget(ctx.keys.schedulerState(), "lastTick"),
  ]);
  const tick = Number(lastTick);
  return {
    ...switches,
    state: describeSwitches(switches),
    ...(leader ? { leader: leader.token, leaderTtlMs: leader.ttlMs } : {}),
    ...(lastTick !== null && Number.isFinite(tick) && tick > 0 ? { lastTick: tick } : {}),
  };
}
