/** `scheduler list [--json]`: every scheduled task, its last slot and outcome, its next fires. */
import { Command } from "commander";
import { nextFires } from "../../scheduler/next-fire.js";
import { describeEntry, readLedger, type LedgerEntry } from "../../scheduler/ledger.js";
import { action, EXIT, withCommon, type CommonOptions } from "../common.js";
import { openCli } from "../context.js";
import { formatTime } from "./why.js";

export interface ListedTask {
  id: string;
  event: string;
  expression: string;
  method: string;
  queue: string;
  zone: string;
  catchup: unknown;
  lastSlot?: number;
  last?: LedgerEntry;
  next: number[];
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd()).join("\n");
}

async function runList(options: CommonOptions): Promise<number> {
  const cli = await openCli(options, { hooks: "required" });
  try {
    const tasks = cli.hooks!.tasks;
    const zone = options.utc ? "UTC" : cli.config!.timezone;
    const now = Date.now();
    const lastSlots = tasks.length ? await cli.redis.hmget(cli.keys.lastSlots(), ...tasks.map((t) => t.id)) : [];
    const listed: ListedTask[] = await Promise.all(
      tasks.map(async (t, i) => {
        const [last] = await readLedger(cli.redis, cli.keys, t.id, 1);
        const raw = lastSlots[i];
        return {
          id: t.id,
          event: t.event,
          expression: t.expression,
          method: t.method,
          queue: t.queue,
          zone,
          catchup: t.catchup,
          ...(raw ? { lastSlot: Number(raw) } : {}),
          ...(last ? { last } : {}),
          next: nextFires(t.expression, zone, now, 3),
        };
      }),
    );
    if (options.json) {
      process.stdout.write(`${JSON.stringify(listed, null, 2)}\n`);
      return EXIT.ok;
    }
    if (listed.length === 0) {
      process.stdout.write("no scheduled tasks in the hooks file\n");
      return EXIT.ok;
    }
    const when = (ms: number) => formatTime(ms, zone).slice(0, 19);
    const rows = [["EVENT", "SCHEDULE", "METHOD", "QUEUE", "LAST SLOT", "OUTCOME", "NEXT"]];
    for (const t of listed) {
      rows.push([
        t.event,
        t.expression,
        t.method,
        t.queue,
        t.last ? when(t.last.slot) : "-",
        t.last ? describeEntry(t.last) : "not fired yet",
        t.next.map(when).join(", ") || "never",
      ]);
    }
    process.stdout.write(`${table(rows)}\n(times in ${zone})\n`);
    return EXIT.ok;
  } finally {
    await cli.close();
  }
}

export function registerList(program: Command): void {
  withCommon(program.command("list").description("every scheduled task: event, queue, last run, next runs"), { json: true }).action(action(runList));
}
