/** `scheduler reload`: tell every running daemon on this Redis to reload its hooks (like SIGHUP). */
import { Command } from "commander";
import { action, withCommon, EXIT } from "../common.js";
import { openCli } from "../context.js";
import { sendControl } from "../../daemon/control.js";

export function registerReload(program: Command): void {
  withCommon(program.command("reload").description("reload hooks in the running daemons (same as SIGHUP)")).action(
    action(async (opts) => {
      const cli = await openCli(opts, { hooks: "optional" });
      try {
        const received = await sendControl(cli.redis, cli.keys, "reload");
        if (received === 0) {
          process.stderr.write(`scheduler: no daemon is listening on ${cli.url} (prefix ${cli.prefix}); nothing reloaded\n`);
          return EXIT.failure;
        }
        process.stdout.write(`reload sent to ${received} daemon${received === 1 ? "" : "s"}; their logs say what changed\n`);
        return EXIT.ok;
      } finally {
        await cli.close();
      }
    }),
  );
}
