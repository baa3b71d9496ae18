/**
 * doctor's per-schedule check: every schedule with an open missed deadline (reported until a
 * later run succeeds, see src/scheduler/deadlines.ts), and every schedule paused in Redis.
 */
import { readScheduleStatus } from "../../ops/schedule-status.js";
import { doctorKeys, finding, type Check, type Finding } from "./types.js";

export const schedulesCheck: Check = {
  name: "schedules",
  async run(ctx) {
    if (!ctx.redis || !ctx.config) return [];
    const keys = await doctorKeys({ ...ctx, config: ctx.config });
    const all = await readScheduleStatus(ctx.redis, keys, ctx.hooks?.tasks.map((t) => t.id));
    const findings: Finding[] = [];
    for (const s of all) {
      if (s.deadlineMissed) {
        findings.push(finding("schedules", "error", `${s.task}: the run of slot ${new Date(s.deadlineMissed.slot).toISOString()} missed its deadline, and no run has succeeded since`, `\`scheduler why ${s.task}\` shows what happened; the report clears when a later run succeeds`));
      }
      if (s.paused) {
        findings.push(finding("schedules", "warn", `${s.task} is paused (by ${s.paused.by}${s.paused.note ? `: ${s.paused.note}` : ""}) while the hooks file has it active`, `scheduler resume ${s.task}`));
      }
    }
    if (all.length && findings.length === 0) findings.push(finding("schedules", "ok", `${all.length} schedule(s): none paused, no missed deadline open`));
    return findings;
  },
};
