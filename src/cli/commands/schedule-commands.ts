/**
 * The schedule commands of issue 16 that are not `list`/`why`/`pause`/`resume`: `backfill` and
 * `plan` here, `calendar` in calendar.ts (re-exported, so index.ts registers all with one import).
 */
import { Command } from "commander";
import { OVERLAP_POLICIES, type OverlapPolicy } from "../../schedule/overlap-policy.js";
import { backfill, type BackfillSlot } from "../../ops/schedule-backfill.js";
import { planSchedules, type Plan } from "../../ops/schedule-plan.js";
import { action, EXIT, UsageError, withCommon, type CommonOptions } from "../common.js";
import { openCli } from "../context.js";
import { parseInstant } from "../schedule-args.js";
import { formatSlot } from "../format/time.js";

export { registerCalendar } from "./calendar.js";

interface BackfillOptions extends CommonOptions {
  from?: string;
  to?: string;
  dryRun?: boolean;
  overlap?: string;
}

const SLOT_WORDS: Record<BackfillSlot["outcome"], string> = {
  enqueued: "enqueued",
  "would-enqueue": "would enqueue",
  "already-run": "already run (left alone)",
  excluded: "excluded",
  overlap: "skipped: overlap",
};

async function runBackfill(target: string, options: BackfillOptions): Promise<number> {
  if (!options.from || !options.to) throw new UsageError("backfill: --from and --to are required", { hint: 'e.g. scheduler backfill my_app.tasks.x --from 2026-12-01 --to "2026-12-02T00:00"' });
  if (options.overlap !== undefined && !(OVERLAP_POLICIES as readonly string[]).includes(options.overlap)) {
    throw new UsageError(`backfill: --overlap "${options.overlap}" is not a policy`, { hint: `use one of ${OVERLAP_POLICIES.join(", ")}` });
  }
  const cli = await openCli(options, { hooks: "required", writes: true });
  try {
    const zone = cli.config!.timezone;
    const r = await backfill({ env: cli.env, tasks: cli.hooks!.tasks, zone }, target, {
      from: parseInstant(options.from, "--from", zone),
      to: parseInstant(options.to, "--to", zone),
      dryRun: options.dryRun,
      ...(options.overlap ? { overlap: options.overlap as OverlapPolicy } : {}),
    });
    if (options.json) {
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      return EXIT.ok;
    }
    const count = (o: BackfillSlot["outcome"]) => r.slots.filter((s) => s.outcome === o).length;
    const head = r.dryRun ? `dry run: ${count("would-enqueue")} of ${r.slots.length} slots would be enqueued` : `${count("enqueued")} of ${r.slots.length} slots enqueued`;
    process.stdout.write(`${r.task}: ${head} (overlap ${r.overlap}; times in ${zone})\n`);
    for (const s of r.slots) {
      const extra = s.jobId ? ` ${s.jobId}` : s.detail ? ` (${s.detail})` : "";
      process.stdout.write(`  ${formatSlot(s.slot, zone)}  ${SLOT_WORDS[s.outcome]}${extra}\n`);
    }
    return EXIT.ok;
  } finally {
    await cli.close();
  }
}

function planText(p: Plan, zone: string): string {
  const lines: string[] = [];
  if (!p.installed) lines.push("no daemon has installed schedules here yet: every schedule is new");
  for (const s of p.added) lines.push(`+ added    ${s.id}  (${s.expression}, ${s.zone}, queue ${s.queue})`);
  for (const s of p.removed) lines.push(`- removed  ${s.id}  (its pause, ledger and counters stay in Redis)`);
  for (const r of p.renamed) lines.push(`~ renamed? ${r.from.id} -> ${r.to.id}  (same method, new id: its ledger and counters will not carry over)`);
  for (const c of p.changed) lines.push(`~ changed  ${c.id}  ${c.field}: ${c.from} -> ${c.to}`);
  for (const o of p.overrides) {
    const note = o.pause.note ? `: ${o.pause.note}` : "";
    lines.push(`! paused   ${o.task}  by ${o.pause.by} since ${formatSlot(o.pause.at, zone)}${note}${o.inHooks ? "" : " (not in the hooks file)"}`);
  }
  if (p.scheduler) lines.push(`! the whole scheduler is ${p.scheduler} (\`scheduler ${p.scheduler === "paused" ? "resume" : "enable"}\`)`);
  if (p.equal) lines.push("nothing differs: the hooks file matches what the installation runs, and no override is in force");
  return `${lines.join("\n")}\n`;
}

async function runPlan(options: CommonOptions): Promise<number> {
  const cli = await openCli(options, { hooks: "required" });
  try {
    const zone = cli.config!.timezone;
    const plan = await planSchedules({ redis: cli.redis, keys: cli.keys, tasks: cli.hooks!.tasks, zone });
    process.stdout.write(options.json ? `${JSON.stringify(plan, null, 2)}\n` : planText(plan, zone));
    return plan.equal ? EXIT.ok : EXIT.failure;
  } finally {
    await cli.close();
  }
}

export function registerBackfill(program: Command): void {
  withCommon(program.command("backfill").description("enqueue every slot of a past range once (never doubling a slot that ran)"), { json: true })
    .argument("<task>", "dotted.path or task id")
    .option("--from <iso>", "first instant of the range (without an offset: in the schedule's zone)")
    .option("--to <iso>", "last instant of the range, at or before now")
    .option("--dry-run", "print the slots it would enqueue; enqueue nothing")
    .option("--overlap <policy>", `overlap policy for this backfill: ${OVERLAP_POLICIES.join(", ")}`)
    .action(action(runBackfill));
}

export function registerPlan(program: Command): void {
  withCommon(program.command("plan").description("compare the hooks file with the installation in Redis; exit 0 when equal, 1 when not"), { json: true }).action(action(runPlan));
}
