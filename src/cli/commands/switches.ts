import { Command } from "commander";
import { notYet, withCommon } from "../common.js";

export function registerSwitches(program: Command): void {
  for (const [name, what] of [
    ["enable", "enable the scheduler"],
    ["disable", "disable the scheduler (workers go on)"],
    ["pause", "pause the scheduler (workers go on)"],
    ["resume", "resume a paused scheduler"],
  ] as const) {
    withCommon(program.command(name).description(what)).action(notYet(`\`scheduler ${name}\``));
  }
  withCommon(program.command("reload").description("reload hooks in the running daemon (same as SIGHUP)")).action(notYet("`scheduler reload`"));
}
