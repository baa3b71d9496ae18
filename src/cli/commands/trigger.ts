import { Command } from "commander";
import { notYet, withCommon } from "../common.js";

export function registerTrigger(program: Command): void {
  withCommon(program.command("trigger").description("enqueue every task of an event (or one task, or a cron expression) now"))
    .argument("<target>", "event name, cron expression or dotted.path")
    .option("--now", "run in this process instead of enqueueing")
    .action(notYet("`scheduler trigger`"));
}
