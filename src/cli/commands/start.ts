import { Command } from "commander";
import { notYet, withCommon } from "../common.js";

export function registerStart(program: Command): void {
  withCommon(program.command("start").description("run the daemon: scheduler + worker supervisor"))
    .option("--no-scheduler", "do not run the scheduler (workers only)")
    .option("--no-workers", "do not run workers (scheduler only)")
    .option("--queue <names>", "comma-separated queues to run workers for")
    .option("--json", "log JSON lines to stdout")
    .action(notYet("`scheduler start`"));
}
