/**
 * `scheduler purge [--queue Q] [--status S] [--task PATH] --yes` (Frappe's purge-jobs).
 *
 * Deletes queued jobs by default, like `bench purge-jobs` (pending jobs of a queue or event);
 * --status scheduled|deferred|failed|finished|canceled purges those instead; started jobs never. Asks on a
 * TTY unless --yes; without a TTY and without --yes it refuses (exit 2), so a script never
 * deletes jobs by accident. Deletion runs in batches, each one Lua script (src/ops/purge.ts).
 */
import { createInterface } from "node:readline/promises";
import { Command } from "commander";
import { countPurgeable, PURGEABLE, purgeJobs, type PurgeFilter, type PurgeStatus } from "../../ops/purge.js";
import { parseStatus } from "../../ops/job-states.js";
import { knownQueues } from "../../queue/registry.js";
import { EnqueueError } from "../../base/errors.js";
import { action, EXIT, UsageError, withCommon, type CommonOptions } from "../common.js";
import { openCli } from "../context.js";

interface PurgeOptions extends CommonOptions {
  queue?: string;
  status?: string;
  task?: string;
  yes?: boolean;
}

export function registerPurge(program: Command): void {
  withCommon(program.command("purge").description("delete jobs (Frappe purge-jobs; default: queued jobs)"), { json: true })
    .option("--queue <name>", "only this queue (default: every queue)")
    .option("--status <status>", `jobs in this status: ${PURGEABLE.join(", ")} (default queued)`)
    .option("--task <path>", "only jobs of this dotted task path")
    .option("--yes", "do not ask for confirmation")
    .action(action(runPurge));
}

function parsePurgeStatus(text: string | undefined): PurgeStatus {
  if (text === undefined) return "queued";
  const s = parseStatus(text);
  if (s === "started") throw new UsageError("--status started: running jobs are not purged", { hint: "stop their worker, or wait for them to end" });
  if (!s) throw new UsageError(`--status "${text}" is not a job status`, { hint: `use one of: ${PURGEABLE.join(", ")}` });
  return s;
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

function describe(f: PurgeFilter, status: PurgeStatus): string {
  return `${status} job(s)${f.task ? ` of ${f.task}` : ""} in ${f.queue ? `queue ${f.queue}` : "every queue"}`;
}

async function runPurge(options: PurgeOptions): Promise<number> {
  const status = parsePurgeStatus(options.status);
  const interactive = process.stdin.isTTY === true && process.stderr.isTTY === true;
  if (!options.yes && !interactive) {
    throw new UsageError("refusing to delete jobs without confirmation: stdin is not a terminal", { hint: "pass --yes" });
  }
  const filter: PurgeFilter = { queue: options.queue, status, task: options.task };
  const cli = await openCli(options, { hooks: "optional" });
  try {
    if (options.queue !== undefined && !(await knownQueues(cli.env)).includes(options.queue)) {
      throw new EnqueueError("UNKNOWN_QUEUE", `no queue named "${options.queue}"`, { hint: `known queues: ${(await knownQueues(cli.env)).join(", ")}` });
    }
    if (!options.yes) {
      const counts = await countPurgeable(cli.env, filter);
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      if (total === 0) {
        process.stdout.write(options.json ? `${JSON.stringify({ purged: 0, queues: {} })}\n` : `nothing to purge: no ${describe(filter, status)}\n`);
        return EXIT.ok;
      }
      if (!(await confirm(`delete ${total} ${describe(filter, status)}?`))) {
        process.stderr.write("scheduler: purge canceled, nothing deleted\n");
        return EXIT.failure;
      }
    }
    const byQueue = await purgeJobs(cli.env, filter);
    const total = Object.values(byQueue).reduce((a, b) => a + b, 0);
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ purged: total, queues: byQueue })}\n`);
    } else {
      const detail = Object.entries(byQueue).map(([q, n]) => `${q}: ${n}`).join(", ");
      process.stdout.write(`purged ${total} ${describe(filter, status)}${detail ? ` (${detail})` : ""}\n`);
    }
    return EXIT.ok;
  } finally {
    await cli.close();
  }
}
