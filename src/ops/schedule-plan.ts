/**
 * `scheduler plan`: what a deploy of this hooks file would change, compared with what the
 * installation in Redis runs (the schedules its daemons installed, src/scheduler/schedule-
 * install.ts), plus every override in force (paused schedules, the scheduler's switches).
 * Equal means nothing to report: a deploy gate can use `plan` as its check.
 */
import type { Redis } from "ioredis";
import type { ScheduledTask } from "../hooks/types.js";
import type { Keys } from "../redis/keys.js";
import { readInstalled, type InstalledSchedule } from "../scheduler/schedule-install.js";
import { offReason, readSwitches } from "../scheduler/switches.js";
import { listOverrides, type Override } from "./schedule-controls.js";

export interface PlannedSchedule {
  id: string;
  method: string;
  expression: string;
  zone: string;
  queue: string;
}

export interface ScheduleChange {
  id: string;
  field: "expression" | "zone" | "queue";
  from: string;
  to: string;
}

export interface Plan {
  /** True when nothing differs and no override is in force. */
  equal: boolean;
  /** False when no daemon ever installed schedules here (every schedule shows as added). */
  installed: boolean;
  added: PlannedSchedule[];
  removed: PlannedSchedule[];
  /** Same method, new id (event or expression changed): its ledger and counters start over. */
  renamed: Array<{ from: PlannedSchedule; to: PlannedSchedule }>;
  changed: ScheduleChange[];
  overrides: Override[];
  /** The whole scheduler is paused or disabled. */
  scheduler?: "paused" | "disabled";
}

const planned = (t: ScheduledTask | InstalledSchedule, zone: string): PlannedSchedule => ({
  id: t.id,
  method: t.method,
  expression: t.expression,
  zone: "zone" in t ? t.zone : zone,
  queue: t.queue,
});

export async function planSchedules(ctx: { redis: Redis; keys: Keys; tasks: ScheduledTask[]; zone: string }): Promise<Plan> {
  const installedList = await readInstalled(ctx.redis, ctx.keys);
  const installed = new Map(installedList.map((s) => [s.id, planned(s, ctx.zone)]));
  const wanted = new Map(ctx.tasks.map((t) => [t.id, planned(t, ctx.zone)]));
  let added = [...wanted.values()].filter((s) => !installed.has(s.id));
  let removed = [...installed.values()].filter((s) => !wanted.has(s.id));
  const renamed: Plan["renamed"] = [];
  for (const to of [...added]) {
    const from = removed.find((r) => r.method === to.method);
    if (!from) continue;
    renamed.push({ from, to });
    added = added.filter((a) => a !== to);
    removed = removed.filter((r) => r !== from);
  }
  const changed: ScheduleChange[] = [];
  for (const [id, to] of wanted) {
    const from = installed.get(id);
    if (!from) continue;
    for (const field of ["expression", "zone", "queue"] as const) {
      if (from[field] !== to[field]) changed.push({ id, field, from: from[field], to: to[field] });
    }
  }
  const overrides = await listOverrides(ctx);
  const scheduler = offReason(await readSwitches(ctx.redis, ctx.keys));
  const equal = added.length + removed.length + renamed.length + changed.length + overrides.length === 0 && !scheduler;
  return { equal, installed: installedList.length > 0, added, removed, renamed, changed, overrides, ...(scheduler ? { scheduler } : {}) };
}
