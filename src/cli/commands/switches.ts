/** `scheduler enable|disable|pause|resume`: flip the scheduler's switches (workers go on). */
import { hostname, userInfo } from "node:os";
import { Command } from "commander";
import { systemClock } from "../../base/clock.js";
import { describeSwitches, setSwitch, type SwitchAction } from "../../scheduler/switches.js";
import { action, EXIT, withCommon, type CommonOptions } from "../common.js";
import { openCli } from "../context.js";
import { runScheduleSwitch, type ScheduleSwitchOptions } from "./schedule-switches.js";

function who(): string {
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return hostname();
  }
}

async function runSwitch(name: SwitchAction, options: CommonOptions): Promise<number> {
  const cli = await openCli(options, { hooks: "optional" });
  try {
    const { before, after } = await setSwitch({ redis: cli.redis, keys: cli.keys, clock: systemClock }, name, who());
    const was = describeSwitches(before);
    const now = describeSwitches(after);
    const line = was === now ? `scheduler already ${now}` : `scheduler ${now} (was ${was})`;
    const note = now !== "running" && name !== "disable" && name !== "pause" ? ` - still ${now}: run \`scheduler ${now === "disabled" ? "enable" : "resume"}\`` : "";
    if (options.json) process.stdout.write(`${JSON.stringify({ action: name, before: was, after: now, changed: was !== now }, null, 2)}\n`);
    else process.stdout.write(`${line}${note}\n`);
    return EXIT.ok;
  } finally {
    await cli.close();
  }
}

export function registerSwitches(program: Command): void {
  for (const [name, what] of [
    ["enable", "enable the scheduler"],
    ["disable", "disable the scheduler (workers go on)"],
    ["pause", "pause the scheduler, or one schedule with a note (workers go on)"],
    ["resume", "resume a paused scheduler, or one paused schedule"],
  ] as const) {
    const cmd = withCommon(program.command(name).description(what));
    if (name === "pause" || name === "resume") {
      // With a TASK, one schedule (src/cli/commands/schedule-switches.ts); without, the scheduler.
      cmd.argument("[task]", "one scheduled task (dotted path or task id) instead of the whole scheduler");
      if (name === "pause") cmd.option("--note <text>", "why it is paused (shown by list, why and status)");
      cmd.action(action((task: string | undefined, options: ScheduleSwitchOptions) => (task ? runScheduleSwitch(name, task, options, who()) : runSwitch(name, options))));
    } else cmd.action(action((options: CommonOptions) => runSwitch(name, options)));
  }
}
