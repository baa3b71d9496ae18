import { Command } from "commander";
import { notYet, withCommon } from "../common.js";

export function registerWhy(program: Command): void {
  withCommon(program.command("why").description("the fire ledger of one scheduled task"), { json: true })
    .argument("<task>", "dotted.path or task id")
    .action(notYet("`scheduler why`"));
}
