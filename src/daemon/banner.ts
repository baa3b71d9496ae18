/** The start banner: what this daemon runs, where, and the next fires, in the configured zone. */
import { DateTime } from "luxon";
import type { ResolvedConfig } from "../config/types.js";
import type { ScheduledTask } from "../hooks/types.js";
import { redactUrl } from "../redis/connection.js";
import { nextFire } from "../schedule/next-fire.js";
import type { WorkerGroupSpec } from "../worker/types.js";

export interface BannerInput {
  config: ResolvedConfig;
  tasks: ScheduledTask[];
  redisUrl: string;
  embedded: boolean;
  groups: WorkerGroupSpec[];
  scheduler: boolean;
  now: number;
}

/** The next `count` fires across all tasks, soonest first. */
export function upcomingFires(tasks: ScheduledTask[], zone: string, now: number, count: number): Array<{ at: number; task: ScheduledTask }> {
  const fires: Array<{ at: number; task: ScheduledTask }> = [];
  for (const task of tasks) {
    const at = nextFire(task.expression, zone, now);
    if (at !== undefined) fires.push({ at, task });
  }
  return fires.sort((a, b) => a.at - b.at).slice(0, count);
}

export function bannerLines(b: BannerInput): string[] {
  const zone = b.config.timezone;
  const lines = [
    `hooks     ${b.config.hooksFile} (${b.tasks.length} scheduled task${b.tasks.length === 1 ? "" : "s"})`,
    `redis     ${redactUrl(b.redisUrl)}${b.embedded ? " (embedded, AOF in .scheduler/redis)" : ""}, prefix ${b.config.prefix}`,
    `zone      ${zone}`,
    `workers   ${b.groups.length ? b.groups.map((g) => `${g.name} x${g.processes} (concurrency ${g.concurrency})`).join(", ") : "none (--no-workers)"}`,
    `scheduler ${b.scheduler ? "on" : "off (--no-scheduler)"}`,
  ];
  if (b.scheduler) {
    const fires = upcomingFires(b.tasks, zone, b.now, 5);
    if (fires.length) lines.push("next fires");
    for (const f of fires) {
      const when = DateTime.fromMillis(f.at, { zone }).toFormat("yyyy-MM-dd HH:mm:ss ZZZZ");
      lines.push(`  ${when}  ${f.task.method}  (${f.task.event === "cron" || f.task.event === "cron_long" ? `${f.task.event} "${f.task.expression}"` : f.task.event}, queue ${f.task.queue})`);
    }
  }
  return lines;
}
