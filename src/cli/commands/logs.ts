import { Command } from "commander";
import { notYet, withCommon } from "../common.js";

export function registerLogs(program: Command): void {
  withCommon(program.command("logs").description("the event and log stream, from any machine that reaches Redis"), { json: true })
    .option("-f, --follow", "follow until Ctrl-C")
    .option("--job <id>", "only this job")
    .option("--queue <name>", "only this queue")
    .option("--task <path>", "only this task")
    .option("--level <level>", "at least this level")
    .option("--since <duration>", "e.g. 10m")
    .action(notYet("`scheduler logs`"));
}
