/**
 * `scheduler list [--next N] [--json]`: every scheduled task, how its last run ended, its next
 * fire(s). One line per task (the next N fires, with the UTC instant and DST adjustments, go on
 * lines of their own under it); a first line says when the whole scheduler is paused or
 * disabled; a schedule paused in Redis while active in the hooks file is marked as drift.
 */
import { Command } from "commander";
import { DateTime } from "luxon";
import { describeEntry, type LedgerEntry } from "../../scheduler/ledger.js";
import { readScheduleReadings, scheduleRow } from "../../ops/schedule-rows.js";
import { describeOutcome, readOutcomes, type ScheduleOutcome } from "../../scheduler/outcome.js";
import { fireLine, previewFires, type PreviewedFire } from "../../schedule/preview.js";
import { readPauses, type PauseRecord } from "../../scheduler/schedule-pause.js";
import { offReason, readSwitches } from "../../scheduler/switches.js";
import { action, EXIT, withCommon, type CommonOptions } from "../common.js";
import { openCli } from "../context.js";
import { parseCount } from "../schedule-args.js";
import { formatSlot } from "../format/time.js";

export interface ListedTask {
  id: string;
  event: string;
  expression: string;
  method: string;
  queue: string;
  zone: string;
  catchup: unknown;
  overlap: string;
  lastSlot?: number;
  /** The newest ledger entry (what the last slot did). */
  last?: LedgerEntry;
  /** How the last run that ended ended. */
  outcome?: ScheduleOutcome;
  /** Paused in Redis (drift: the hooks file has it active). */
  paused?: PauseRecord;
  /** Next fire instants (ms). */
  next: number[];
  fires: PreviewedFire[];
}

interface ListOptions extends CommonOptions {
  next?: string;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd());
}

const short = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone }).toFormat("LL-dd HH:mm");

/** The LAST RUN cell: how the last run ended; a newer run still live, or no run yet, from the ledger. */
function lastCell(t: ListedTask): string {
  const { last, outcome } = t;
  if (last?.outcome === "enqueued" && last.jobId !== outcome?.jobId) return `${short(last.slot, t.zone)} running or queued`;
  if (outcome) return `${short(outcome.slot, t.zone)} ${describeOutcome(outcome)}`;
  if (last) return `${short(last.slot, t.zone)} ${describeEntry(last)}`;
  return "not fired yet";
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 3)}...` : text);

async function runList(options: ListOptions): Promise<number> {
  const count = parseCount(options.next, "--next", 1);
  const cli = await openCli(options, { hooks: "required" });
  try {
    const tasks = cli.hooks!.tasks;
    const zone = options.utc ? "UTC" : cli.config!.timezone;
    const now = Date.now();
    const ids = tasks.map((t) => t.id);
    // The newest ledger entry of each task: what its last slot did.
    const [readings, outcomes, pauses, switches] = await Promise.all([
      readScheduleReadings(cli.redis, cli.keys, tasks, 1),
      readOutcomes(cli.redis, cli.keys, ids),
      readPauses(cli.redis, cli.keys, ids),
      readSwitches(cli.redis, cli.keys),
    ]);
    const listed: ListedTask[] = readings.map((r, i) => {
      const t = r.task;
      const last = r.ledger[0];
      const fires = previewFires(t.expression, zone, now, count);
      return scheduleRow(
        r,
        { zone, catchup: t.catchup as unknown, overlap: t.overlap ?? "skip" },
        {
          ...(last ? { last } : {}),
          ...(outcomes[i] ? { outcome: outcomes[i] } : {}),
          ...(pauses[i] ? { paused: pauses[i] } : {}),
          next: fires.map((f) => f.at),
          fires,
        },
      );
    });
    const off = offReason(switches);
    if (options.json) {
      process.stdout.write(`${JSON.stringify(listed, null, 2)}\n`);
      return EXIT.ok;
    }
    const out: string[] = [];
    if (off) {
      const since = switches.changedAt ? ` since ${formatSlot(switches.changedAt, zone)}${switches.by ? ` by ${switches.by}` : ""}` : "";
      out.push(`the scheduler is ${off}${since}: no task fires (\`scheduler ${off === "paused" ? "resume" : "enable"}\`)`);
    }
    if (listed.length === 0) {
      out.push("no scheduled tasks in the hooks file");
      process.stdout.write(`${out.join("\n")}\n`);
      return EXIT.ok;
    }
    const rows = [["TASK", "SCHEDULE", "QUEUE", "LAST RUN", "NEXT"]];
    for (const t of listed) {
      const schedule = t.event.startsWith("cron") ? t.expression : t.event;
      const next = t.paused ? clip(`PAUSED (drift: active in hooks) by ${t.paused.by}${t.paused.note ? `: ${t.paused.note}` : ""}`, 70) : t.fires[0] ? short(t.fires[0].at, zone) + (t.fires[0].dst ? " (DST)" : "") : "never";
      rows.push([t.method, schedule, t.queue, lastCell(t), next]);
    }
    const lines = table(rows);
    out.push(lines[0]!);
    listed.forEach((t, i) => {
      out.push(lines[i + 1]!);
      if (count > 1) for (const f of t.fires) out.push(`    ${fireLine(f)}`);
    });
    const dupes = new Set(listed.map((t) => t.method).filter((m, i, all) => all.indexOf(m) !== i));
    if (listed.some((t) => t.paused)) out.push("(`scheduler why TASK` shows the whole pause note; `scheduler resume TASK` lifts it)");
    out.push(`(times in ${zone}${dupes.size ? `; scheduled more than once: ${[...dupes].join(", ")} - \`list --json\` shows each task id` : ""})`);
    process.stdout.write(`${out.join("\n")}\n`);
    return EXIT.ok;
  } finally {
    await cli.close();
  }
}

export function registerList(program: Command): void {
  withCommon(program.command("list").description("every scheduled task: schedule, queue, last run, next run"), { json: true })
    .option("--next <n>", "show the next N fires of each task (UTC instants and DST adjustments named)", "1")
    .action(action(runList));
}
