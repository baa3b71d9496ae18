import { Command } from "commander";
import { notYet, withCommon } from "../common.js";

export function registerStatus(program: Command): void {
  withCommon(program.command("status").description("queues, workers, scheduler and Redis at a glance"), { json: true })
    .option("--watch", "refresh in place")
    .action(notYet("`scheduler status`"));
}
