import { Command } from "commander";
import { notYet, withCommon } from "../common.js";

export function registerEnqueue(program: Command): void {
  withCommon(program.command("enqueue").description("enqueue one job from the shell"), { json: true })
    .argument("<method>", "dotted.path of the task")
    .argument("[kv...]", "kwargs as key=value")
    .option("--kwargs <json>", "kwargs as a JSON object")
    .option("--queue <name>", "queue", "default")
    .option("--job-id <id>", "job id")
    .option("--delay <duration>", "run later, e.g. 10m")
    .action(notYet("`scheduler enqueue`"));
}
