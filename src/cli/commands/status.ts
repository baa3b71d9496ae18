/**
 * `scheduler status [--json] [--watch]`: queues, workers, scheduler and Redis at a glance.
 * --watch redraws every 2 s: in place on a TTY, as repeated blocks otherwise; Ctrl-C exits 0;
 * a Redis outage is shown and waited out.
 */
import { Command } from "commander";
import { redactUrl } from "../../redis/connection.js";
import { escapeControlInBlock } from "../../security/terminal-text.js";
import { readStatus } from "../../ops/status.js";
import { action, EXIT, withCommon, type CommonOptions } from "../common.js";
import { openCli, type CliContext } from "../context.js";
import { describeError } from "../../base/errors.js";
import { renderStatus } from "../format/status-view.js";
import { readScheduleStatus } from "../../ops/schedule-status.js";
import { scheduleStatusLines } from "../format/schedule-status-view.js";
import { displayZone, zoneNote } from "../display-zone.js";
import { useColor } from "../../log/color.js";

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
  const zone = displayZone(options, cli.config);
  const tty = process.stdout.isTTY === true;
  const draw = async () => {
    const report = await readStatus(cli.env);
    const schedules = await readScheduleStatus(cli.redis, cli.keys, cli.hooks?.tasks.map((t) => t.id));
    // Worker names, hosts and queue names come from Redis: control characters shown escaped
    // (renderStatus escapes every cell and value itself, so its colours survive).
    const text = options.json
      ? `${JSON.stringify({ url, ...report, schedules }, null, options.watch ? 0 : 2)}\n`
      : `${renderStatus(report, { url, zone, color: useColor(process.stdout) }).replace(/\n?$/, "\n")}${escapeControlInBlock(`${scheduleStatusLines(schedules)}${zoneNote(zone)}`)}\n`;
    // On a TTY: home the cursor and clear the screen, so the picture is redrawn in place.
    if (options.watch && tty && !options.json) process.stdout.write(`\x1b[H\x1b[2J${text}`);
    else process.stdout.write(options.watch && !options.json ? `${text}\n` : text);
  };
  try {
    await draw();
    if (!options.watch) return EXIT.ok;
    await watch(cli, url, tty, draw);
    return EXIT.ok;
  } finally {
    await cli.close();
  }
}

/**
 * Redraw every WATCH_INTERVAL_MS until Ctrl-C. A Redis that goes away does not end the watch:
 * it says so (in place on a TTY, once per outage otherwise), reconnects, and the picture comes
 * back when Redis does.
 */
async function watch(cli: CliContext, url: string, tty: boolean, draw: () => Promise<void>): Promise<void> {
  let downSince: number | undefined;
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      // The CLI's connection does not retry on its own (a one-shot must not hang): reopen it.
      if (cli.redis.status === "end") await cli.redis.connect().catch(() => {});
      await draw();
      if (downSince !== undefined && !tty) process.stdout.write(`Redis at ${url} answers again\n`);
      downSince = undefined;
    } catch (err) {
      const first = downSince === undefined;
      downSince ??= Date.now();
      const line = `Redis at ${url} is unreachable since ${new Date(downSince).toLocaleTimeString()}: ${describeError(err)}; retrying every ${WATCH_INTERVAL_MS / 1000} s (Ctrl-C to stop)\n`;
      if (tty) process.stdout.write(`\x1b[H\x1b[2J${line}`);
      else if (first) process.stdout.write(line);
    } finally {
      busy = false;
    }
  };
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => void tick(), WATCH_INTERVAL_MS);
    const stop = () => {
      clearInterval(timer);
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
