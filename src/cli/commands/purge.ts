import { Command } from "commander";
import { notYet, withCommon } from "../common.js";

export function registerPurge(program: Command): void {
  withCommon(program.command("purge").description("delete jobs (Frappe purge-jobs)"))
    .option("--queue <name>", "only this queue")
    .option("--status <status>", "only this status")
    .option("--task <path>", "only this task")
    .option("--yes", "do not ask")
    .action(notYet("`scheduler purge`"));
}
