import { Command } from "commander";
import { notYet, withCommon } from "../common.js";

export function registerDoctor(program: Command): void {
  withCommon(program.command("doctor").description("check Redis, hooks, paths, workers and scheduler; exit code says healthy"), { json: true })
    .action(notYet("`scheduler doctor`"));
}
