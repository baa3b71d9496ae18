/**
 * The console's per-schedule actions, backed by the same operations as `scheduler pause TASK
 * --note`, `scheduler resume TASK` and `scheduler backfill` (src/ops/schedule-controls.ts,
 * src/ops/schedule-backfill.ts), so a pause made in the browser is the one `scheduler list`
 * shows and the daemons obey.
 */
import { backfill } from "../../ops/schedule-backfill.js";
import { pauseSchedule, resumeSchedule } from "../../ops/schedule-controls.js";
import { readPauses, type PauseRecord } from "../../scheduler/schedule-pause.js";
import type { ApiContext } from "./context.js";
import type { SchedulePause, ScheduleControls } from "./schedule-actions.js";

function shown(p: PauseRecord): SchedulePause {
  return { paused: true, note: p.note, by: p.by, at: p.at };
}

export function scheduleControlsFor(ctx: ApiContext): ScheduleControls {
  const control = () => ({ redis: ctx.env.redis, keys: ctx.env.keys, clock: ctx.env.clock, tasks: [...ctx.tasks] });
  return {
    async pause(task, o) {
      const r = await pauseSchedule(control(), task, { ...(o.note !== undefined ? { note: o.note } : {}), by: o.by });
      return shown(r.pause);
    },
    async resume(task, o) {
      await resumeSchedule(control(), task, { by: o.by });
      return { paused: false };
    },
    async states(tasks) {
      const records = await readPauses(ctx.env.redis, ctx.env.keys, [...tasks]);
      const out: Record<string, SchedulePause> = {};
      tasks.forEach((task, i) => {
        const rec = records[i];
        if (rec) out[task] = shown(rec);
      });
      return out;
    },
    async backfill(task, o) {
      const r = await backfill({ env: ctx.env, tasks: [...ctx.tasks], zone: ctx.deps.config.timezone }, task, { from: o.from, to: o.to, dryRun: o.dryRun });
      const chosen = r.slots.filter((s) => s.outcome === "enqueued" || s.outcome === "would-enqueue");
      const jobIds = chosen.flatMap((s) => (s.jobId ? [s.jobId] : []));
      return { task: r.task, slots: chosen.map((s) => s.slot), enqueued: !o.dryRun, ...(jobIds.length ? { jobIds } : {}) };
    },
  };
}
