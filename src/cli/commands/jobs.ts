import { Command } from "commander";
import { notYet, withCommon } from "../common.js";

export function registerJobs(program: Command): void {
  const jobs = withCommon(program.command("jobs").description("inspect and act on jobs"), { json: true })
    .option("--queue <name>", "only this queue")
    .option("--status <status>", "only this status")
    .option("--limit <n>", "at most this many", "50")
    .action(notYet("`scheduler jobs`"));
  withCommon(jobs.command("show").description("one job in full").argument("<id>"), { json: true }).action(notYet("`scheduler jobs show`"));
  withCommon(jobs.command("retry").description("requeue a failed job, or all failed with --failed").argument("[id]"))
    .option("--failed", "every failed job")
    .option("--queue <name>", "with --failed: only this queue")
    .action(notYet("`scheduler jobs retry`"));
  withCommon(jobs.command("cancel").description("cancel a queued or scheduled job").argument("<id>")).action(notYet("`scheduler jobs cancel`"));
}
