/** `scheduler pause TASK [--note]` / `scheduler resume TASK`: one schedule, not the scheduler. */
import { systemClock } from "../../base/clock.js";
import { pauseSchedule, resumeSchedule } from "../../ops/schedule-controls.js";
import { EXIT, type CommonOptions } from "../common.js";
import { openCli } from "../context.js";
import { formatSlot } from "../format/time.js";

export interface ScheduleSwitchOptions extends CommonOptions {
  note?: string;
}

export async function runScheduleSwitch(name: "pause" | "resume", target: string, options: ScheduleSwitchOptions, by: string): Promise<number> {
  const cli = await openCli(options, { hooks: "required" });
  try {
    const ctx = { redis: cli.redis, keys: cli.keys, clock: systemClock, tasks: cli.hooks!.tasks };
    const zone = cli.config!.timezone;
    if (name === "pause") {
      const r = await pauseSchedule(ctx, target, { note: options.note, by });
      if (options.json) process.stdout.write(`${JSON.stringify(r)}\n`);
      else {
        const was = r.before ? ` (was paused since ${formatSlot(r.before.at, zone)} by ${r.before.by}; note replaced)` : "";
        process.stdout.write(`${r.task} paused by ${by}${r.pause.note ? `: ${r.pause.note}` : ""}${was}\n`);
      }
      return EXIT.ok;
    }
    const r = await resumeSchedule(ctx, target, { by });
    if (options.json) process.stdout.write(`${JSON.stringify(r)}\n`);
    else if (r.lifted) process.stdout.write(`${r.task} resumed (paused since ${formatSlot(r.lifted.at, zone)} by ${r.lifted.by}${r.lifted.note ? `: ${r.lifted.note}` : ""}); slots from now on run\n`);
    else process.stdout.write(`${r.task} was not paused\n`);
    return EXIT.ok;
  } finally {
    await cli.close();
  }
}
