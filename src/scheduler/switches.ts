/**
 * The scheduler's switches, as bench has them: `disable`/`enable` (the scheduler is off) and
 * `pause`/`resume` (a temporary hold). Both stop enqueueing only (workers go on); slots that
 * come while off are recorded as skipped (paused or disabled) and are not caught up later.
 * Stored in keys.schedulerState() (fields enabled, paused, changedAt, by); every tick reads them.
 */
import type { Redis } from "ioredis";
import type { Clock } from "../base/clock.js";
import { pipeEvent } from "../log/events.js";
import type { Keys } from "../redis/keys.js";

export type SwitchAction = "enable" | "disable" | "pause" | "resume";

export interface SchedulerSwitches {
  enabled: boolean;
  paused: boolean;
  changedAt?: number;
  by?: string;
}

const truthy = (v: string | undefined, fallback: boolean) => (v === undefined ? fallback : v === "1" || v === "true");

/** The switches from the state hash (a missing hash: enabled, not paused). */
export function parseSwitches(hash: Record<string, string>): SchedulerSwitches {
  const changedAt = Number(hash.changedAt);
  return {
    enabled: truthy(hash.enabled, true),
    paused: truthy(hash.paused, false),
    ...(Number.isFinite(changedAt) && changedAt > 0 ? { changedAt } : {}),
    ...(hash.by ? { by: hash.by } : {}),
  };
}

export async function readSwitches(redis: Redis, keys: Keys): Promise<SchedulerSwitches> {
  return parseSwitches(await redis.hgetall(keys.schedulerState()));
}

/** Why slots are not fired now, or undefined when the scheduler is on. */
export function offReason(s: SchedulerSwitches): "disabled" | "paused" | undefined {
  if (!s.enabled) return "disabled";
  if (s.paused) return "paused";
  return undefined;
}

const EFFECT: Record<SwitchAction, { field: "enabled" | "paused"; value: "0" | "1"; event: `scheduler.${"enabled" | "disabled" | "paused" | "resumed"}` }> = {
  enable: { field: "enabled", value: "1", event: "scheduler.enabled" },
  disable: { field: "enabled", value: "0", event: "scheduler.disabled" },
  pause: { field: "paused", value: "1", event: "scheduler.paused" },
  resume: { field: "paused", value: "0", event: "scheduler.resumed" },
};

/** Flip one switch (with its event, in one MULTI); returns the switches before and after. */
export async function setSwitch(
  ctx: { redis: Redis; keys: Keys; clock: Clock },
  action: SwitchAction,
  by: string,
): Promise<{ before: SchedulerSwitches; after: SchedulerSwitches }> {
  const { redis, keys, clock } = ctx;
  const effect = EFFECT[action];
  const at = clock();
  const multi = redis.multi().hgetall(keys.schedulerState());
  multi.hset(keys.schedulerState(), effect.field, effect.value, "changedAt", String(at), "by", by);
  pipeEvent(multi, keys, { type: effect.event, level: "info", at, msg: `scheduler ${action}d by ${by}`, data: { by } });
  const res = await multi.exec();
  const beforeHash = (res?.[0]?.[1] ?? {}) as Record<string, string>;
  const before = parseSwitches(beforeHash);
  const after = parseSwitches({ ...beforeHash, [effect.field]: effect.value, changedAt: String(at), by });
  return { before, after };
}

/** "running", "paused", "disabled" (disabled wins: it is the stronger switch). */
export function describeSwitches(s: SchedulerSwitches): string {
  return offReason(s) ?? "running";
}
