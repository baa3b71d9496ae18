/** `scheduler why <task> [--json]`: the fire ledger of a scheduled task, newest first. */
import { scanMasters } from "../../ops/masters.js";
import { Command } from "commander";
import { formatSlot } from "../format/time.js";
import { SchedulerError } from "../../base/errors.js";
import type { Keys } from "../../redis/keys.js";
import { describeEntry, readLedger, type LedgerEntry } from "../../scheduler/ledger.js";
import { selectTasks } from "../../scheduler/select-tasks.js";
import { action, EXIT, withCommon, type CommonOptions } from "../common.js";
import { openCli } from "../context.js";
import type { Redis } from "ioredis";
import { scheduleDetails, scheduleDetailLines } from "./why-details.js";
import { parseCount } from "../schedule-args.js";
import { displayZone } from "../display-zone.js";

interface WhyOptions extends CommonOptions {
  limit?: string;
  next?: string;
}

/** Task ids with a ledger in Redis, for when no hooks file is at hand. */
async function ledgerTaskIds(redis: Redis, keys: Keys): Promise<string[]> {
  const prefix = keys.ledger("");
  // Every master: on a cluster a plain SCAN reads one node (src/ops/masters.ts).
  const ids = (await scanMasters(redis, `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`)).map((k) => k.slice(prefix.length));
  return ids;
}

function entryLine(e: LedgerEntry, zone: string): string {
  const slot = formatSlot(e.slot, zone);
  const from = e.firstSlot !== undefined && e.firstSlot !== e.slot ? `${formatSlot(e.firstSlot, zone)} .. ` : "";
  const late = e.latenessMs !== undefined ? ` (+${e.latenessMs} ms)` : "";
  return `  ${from}${slot}  ${describeEntry(e)}${late}`;
}

async function runWhy(target: string, options: WhyOptions): Promise<number> {
  // The hooks file gives the zone and tasks that never fired; without one, the ledger keys do.
  const cli = await openCli(options, { hooks: "required" }).catch((err: unknown) => {
    if (err instanceof SchedulerError && err.code === "HOOKS_NOT_FOUND" && !options.hooks) return openCli(options, { hooks: "optional" });
    throw err;
  });
  try {
    const zone = displayZone(options, cli.config);
    let ids: string[];
    if (cli.hooks) {
      ids = selectTasks(cli.hooks.tasks, target).tasks.map((t) => t.id);
    } else {
      ids = (await ledgerTaskIds(cli.redis, cli.keys)).filter((id) => id === target || id.endsWith(`|${target}`));
      if (ids.length === 0) {
        throw new SchedulerError("UNKNOWN_TARGET", `no fire ledger for "${target}" in Redis`, {
          hint: "give a dotted task path or task id; run from the app folder (or --hooks) to see tasks that have not fired yet",
        });
      }
    }
    const limit = Math.max(1, Number(options.limit ?? 20) || 20);
    const count = parseCount(options.next, "--next", 5);
    const tasks = cli.hooks?.tasks.filter((t) => ids.includes(t.id));
    const details = await scheduleDetails(cli.redis, cli.keys, ids, zone, count, tasks);
    const result = await Promise.all(ids.map(async (id, i) => ({ task: id, ...details[i], entries: await readLedger(cli.redis, cli.keys, id, limit) })));
    if (options.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return EXIT.ok;
    }
    for (const [i, { task, entries }] of result.entries()) {
      process.stdout.write(`${task}\n`);
      for (const line of scheduleDetailLines(details[i]!, zone)) process.stdout.write(`  ${line}\n`);
      if (entries.length === 0) process.stdout.write("  no fires recorded yet (a new task fires at its next slot, never for past ones)\n");
      for (const e of entries) process.stdout.write(`${entryLine(e, zone)}\n`);
    }
    return EXIT.ok;
  } finally {
    await cli.close();
  }
}

export function registerWhy(program: Command): void {
  withCommon(program.command("why").description("the fire ledger of one scheduled task"), { json: true })
    .argument("<task>", "dotted.path or task id")
    .option("--limit <n>", "entries to show per task", "20")
    .option("--next <n>", "next fires to show (in the task's zone, with UTC and DST adjustments)", "5")
    .action(action(runWhy));
}
