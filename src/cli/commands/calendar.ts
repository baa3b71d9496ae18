/**
 * `scheduler calendar "EXPR" [--tz ZONE] [--next N] [--from ISO] [--json]`: the next fires of any
 * expression, without a hooks file or Redis (like `systemd-analyze calendar --iterations`), with
 * each DST adjustment named on its line.
 */
import { Command } from "commander";
import { ConfigError } from "../../base/errors.js";
import { validateSchedule } from "../../schedule/next-fire.js";
import { fireLine, previewFires } from "../../schedule/preview.js";
import { zoneTime } from "../../schedule/zone-time.js";
import { action, withCommon, EXIT, UsageError } from "../common.js";
import { parseCount, parseInstant } from "../schedule-args.js";

interface CalendarOptions {
  tz?: string;
  next?: string;
  from?: string;
  json?: boolean;
}

async function runCalendar(expression: string, options: CalendarOptions): Promise<number> {
  const zone = options.tz ?? process.env.SCHEDULER_TIMEZONE ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? "UTC";
  try {
    zoneTime(zone);
    validateSchedule(expression, zone);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(`calendar: ${err.message}`, { hint: err.hint });
    throw err;
  }
  const count = parseCount(options.next, "--next", 10);
  const from = options.from === undefined ? Date.now() : parseInstant(options.from, "--from", zone);
  // --from is inclusive: a fire exactly at that instant is listed
  const fires = previewFires(expression, zone, from - 1, count);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ expression, zone, from: new Date(from).toISOString(), fires }, null, 2)}\n`);
    return EXIT.ok;
  }
  process.stdout.write(`${expression}  (zone ${zone})\n`);
  if (fires.length === 0) process.stdout.write("  never fires after that instant\n");
  fires.forEach((f, i) => process.stdout.write(`  ${String(i + 1).padStart(String(count).length)}. ${fireLine(f)}\n`));
  return EXIT.ok;
}

export function registerCalendar(program: Command): void {
  withCommon(program.command("calendar").description("preview any schedule expression: next fires, UTC instants, DST adjustments (no hooks file needed)"))
    .argument("<expression>", 'cron expression ("0 9 * * 1-5", "*/20 * * * * *") or "@every 90"')
    .option("--tz <zone>", "IANA time zone (default: SCHEDULER_TIMEZONE, then this machine's)")
    .option("--next <n>", "how many fires", "10")
    .option("--from <iso>", "start from this instant (default now); without an offset, in --tz")
    .action(action(runCalendar));
}
