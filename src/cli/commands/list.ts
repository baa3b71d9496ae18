import { Command } from "commander";
import { notYet, withCommon } from "../common.js";

export function registerList(program: Command): void {
  withCommon(program.command("list").description("every scheduled task: event, queue, last run, next runs"), { json: true })
    .action(notYet("`scheduler list`"));
}
