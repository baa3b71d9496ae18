/** `scheduler start`: the daemon (src/daemon/start.ts). */
import { Command } from "commander";
import { action, withCommon } from "../common.js";
import { runDaemon, type StartOptions } from "../../daemon/start.js";
import { ConfigError } from "../../base/errors.js";
import { durationMs } from "../../base/duration.js";
import { httpSettings, withHttpOptions, type HttpFlags } from "../http-options.js";

/** commander hands --grace and --http over as text; runDaemon takes seconds and an address. */
type StartFlags = Omit<StartOptions, "grace" | "http"> & { grace?: string } & HttpFlags;

export function registerStart(program: Command): void {
  const cmd = withCommon(program.command("start").description("run the daemon: scheduler + worker supervisor"))
    .option("--no-scheduler", "do not run the scheduler (workers only)")
    .option("--no-workers", "do not run workers (scheduler only)")
    .option("--queue <names>", "comma-separated queues to run workers for (default: every configured queue)")
    .option("--grace <seconds>", "on stop, wait this long for running jobs (default: the longest queue timeout)")
    .option("--job-lines <which>", "a line per ended job: all, failures (quiet the finished ones) or none (default: SCHEDULER_JOB_LINES, else all)")
    .option("--log-file <path>", "write every log line to this file (default: logs/scheduler.log and logs/worker.log beside the hooks file)")
    .option("--no-log-file", "write no log file: the console only (systemd, containers)");
  withHttpOptions(cmd)
    .action(
      action(async (flags: StartFlags) => {
        let grace: number | undefined;
        if (flags.grace !== undefined) {
          // Seconds, or a duration like "90s" (src/base/duration.ts).
          const ms = durationMs(flags.grace);
          if (ms === undefined) throw new ConfigError("CONFIG_INVALID", `--grace: "${flags.grace}" is not a number of seconds`, { hint: "e.g. --grace 30" });
          grace = ms / 1000;
        }
        try {
          const { http: _address, ...rest } = flags;
          return await runDaemon({ ...rest, grace, ...httpSettings(flags) });
        } finally {
          // Task modules were loaded here to validate their paths; one that opened a client at
          // import time (Redis, SMTP) must not keep a stopped daemon alive.
          setTimeout(() => process.exit(), 1000).unref();
        }
      }),
    );
}
