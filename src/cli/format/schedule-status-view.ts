/** `status` text: the schedules that need a look (paused, open missed deadline); nothing when none. */
import type { ScheduleStatus } from "../../ops/schedule-status.js";

export function scheduleStatusLines(schedules: ScheduleStatus[]): string {
  const paused = schedules.filter((s) => s.paused);
  const late = schedules.filter((s) => s.deadlineMissed);
  if (!paused.length && !late.length) return "";
  const lines = ["", "Schedules"];
  for (const s of paused) lines.push(`  paused           ${s.task}  by ${s.paused!.by}${s.paused!.note ? `: ${s.paused!.note}` : ""}`);
  for (const s of late) lines.push(`  deadline missed  ${s.task}  slot ${new Date(s.deadlineMissed!.slot).toISOString()}`);
  return `${lines.join("\n")}\n`;
}
