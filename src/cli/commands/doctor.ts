import { Command } from "commander";
import { action, EXIT, withCommon, type CommonOptions } from "../common.js";
import { formatFindings, healthy, runDoctor } from "../doctor/run.js";
import { useColor } from "../../log/color.js";

export function registerDoctor(program: Command): void {
  withCommon(program.command("doctor").description("check Redis, hooks, paths, workers and scheduler; exit code says healthy"), { json: true }).action(
    action(async (opts: CommonOptions) => {
      const findings = await runDoctor({ hooks: opts.hooks, redis: opts.redis, prefix: opts.prefix, cwd: process.cwd(), env: process.env });
      const ok = healthy(findings);
      if (opts.json) process.stdout.write(JSON.stringify({ healthy: ok, findings }, null, 2) + "\n");
      else process.stdout.write(formatFindings(findings, useColor(process.stdout)));
      return ok ? EXIT.ok : EXIT.failure;
    }),
  );
}
