import { Command } from "commander";
import { notYet, withCommon } from "../common.js";

export function registerWorker(program: Command): void {
  withCommon(program.command("worker").description("run workers only (RQ-style)"))
    .option("--queue <names>", "comma-separated queues, in priority order", "short,default,long")
    .option("--burst", "drain the queues and exit")
    .option("--concurrency <n>", "jobs per process at once")
    .option("--processes <n>", "worker processes")
    .option("--strategy <s>", "queue order: default (priority) or round_robin", "default")
    .action(notYet("`scheduler worker`"));
}
