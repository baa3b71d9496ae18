/**
 * `scheduler status [--json] [--watch]`: queues, workers, scheduler and Redis at a glance.
 * --watch redraws every 2 s: in place on a TTY, as repeated blocks otherwise; Ctrl-C exits 0.
 */
import { Command } from "commander";
import { redactUrl } from "../../redis/connection.js";
import { readStatus } from "../../ops/status.js";
import { action, EXIT, withCommon, type CommonOptions } from "../common.js";
import { openCli } from "../context.js";
import { renderStatus } from "../format/status-view.js";

interface StatusOptions extends CommonOptions {
  watch?: boolean;
}

export const WATCH_INTERVAL_MS = 2000;

export function registerStatus(program: Command): void {
  withCommon(program.command("status").description("queues, workers, scheduler and Redis at a glance"), { json: true })
    .option("--watch", "refresh every 2 s until Ctrl-C")
    .action(action(runStatus));
}

async function runStatus(options: StatusOptions): Promise<number> {
  const cli = await openCli(options, { hooks: "optional" });
  const url = redactUrl(cli.url);
  const zone = cli.config?.timezone;
  const tty = process.stdout.isTTY === true;
  const draw = async () => {
    const report = await readStatus(cli.env);
    const text = options.json ? `${JSON.stringify({ url, ...report }, null, options.watch ? 0 : 2)}\n` : renderStatus(report, { url, zone });
    // On a TTY: home the cursor and clear the screen, so the picture is redrawn in place.
    if (options.watch && tty && !options.json) process.stdout.write(`\x1b[H\x1b[2J${text}`);
    else process.stdout.write(options.watch && !options.json ? `${text}\n` : text);
  };
  try {
    await draw();
    if (!options.watch) return EXIT.ok;
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => draw().catch(fail), WATCH_INTERVAL_MS);
      const stop = () => {
        clearInterval(timer);
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        resolve();
      };
      const fail = (err: unknown) => {
        stop();
        reject(err);
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    return EXIT.ok;
  } finally {
    await cli.close();
  }
}
