/**
 * `scheduler jobs`: list jobs by queue and status; `jobs show ID` in full; `jobs retry ID |
 * --failed [--queue Q]` puts failed (or canceled) jobs back; `jobs cancel ID` cancels one that
 * has not started, or asks the worker of a running one to stop it (src/worker/supervisor/cancel-relay.ts).
 * Every move is the queue's own script (src/queue/registry.ts).
 */
import { Command } from "commander";
import { readJobDetail } from "../../ops/job-detail.js";
import { searchJobs } from "../../ops/job-search.js";
import { parseStatus, STORED_STATUSES } from "../../ops/job-states.js";
import { retryFailed } from "../../ops/retry-failed.js";
import { cancel, knownQueues, requeue } from "../../queue/registry.js";
import { SchedulerError } from "../../base/errors.js";
import { EnqueueError } from "../../base/errors.js";
import type { QueueEnv } from "../../queue/context.js";
import { action, EXIT, UsageError, withCommon, type CommonOptions } from "../common.js";
import { openCli, type CliContext } from "../context.js";
import { redactJob, renderJobDetail, renderJobTable } from "../format/job-view.js";
import { escapeControlInBlock } from "../../security/terminal-text.js";
import { MIN_PREFIX, resolveJobId } from "../../ops/job-id-prefix.js";
import { displayZone, zoneNote } from "../display-zone.js";

interface ListOptions extends CommonOptions {
  queue?: string;
  status?: string;
  limit: string;
}

interface RetryOptions extends CommonOptions {
  failed?: boolean;
  queue?: string;
}

export function registerJobs(program: Command): void {
  const jobs = withCommon(program.command("jobs").description("inspect and act on jobs"), { json: true })
    .option("--queue <name>", "only this queue")
    .option("--status <status>", `only this status: ${STORED_STATUSES.join(", ")} (pending = queued)`)
    .option("--limit <n>", "at most this many", "50")
    .action(action(runList));
  withCommon(jobs.command("show").description("one job in full").argument("<id>"), { json: true }).action(action(runShow));
  withCommon(jobs.command("retry").description("requeue a failed job, or all failed with --failed").argument("[id]"), { json: true })
    .option("--failed", "every failed job")
    .option("--queue <name>", "with --failed: only this queue")
    .action(action(runRetry));
  withCommon(jobs.command("cancel").description("cancel a job: at once if it has not started, else its worker stops it").argument("<id>"), { json: true }).action(action(runCancel));
}

/** Subcommand options sit on the subcommand; --redis/--prefix given before `show` sit on `jobs`. */
function merged<T extends CommonOptions>(options: T, cmd: Command): T {
  return { ...(cmd.parent?.opts() ?? {}), ...options } as T;
}

function parseLimit(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--limit "${text}" is not a positive whole number`, { hint: "e.g. --limit 20" });
  return n;
}

async function checkQueue(env: QueueEnv, queue: string | undefined): Promise<void> {
  if (queue === undefined) return;
  const known = await knownQueues(env);
  if (!known.includes(queue)) {
    throw new EnqueueError("UNKNOWN_QUEUE", `no queue named "${queue}"`, { hint: `known queues: ${known.join(", ") || "none"}` });
  }
}

async function withCli<T>(options: CommonOptions, fn: (cli: CliContext) => Promise<T>): Promise<T> {
  const cli = await openCli(options, { hooks: "optional" });
  try {
    return await fn(cli);
  } finally {
    await cli.close();
  }
}

/** JSON for scripts, else text with any control character from Redis shown escaped. */
function print(json: boolean | undefined, data: unknown, text: string): void {
  const safe = escapeControlInBlock(text);
  process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : safe.endsWith("\n") ? safe : `${safe}\n`);
}

async function runList(options: ListOptions): Promise<number> {
  const limit = parseLimit(options.limit);
  const status = options.status === undefined ? undefined : parseStatus(options.status);
  if (options.status !== undefined && !status) {
    throw new UsageError(`--status "${options.status}" is not a job status`, { hint: `use one of: ${STORED_STATUSES.join(", ")}` });
  }
  return withCli(options, async (cli) => {
    await checkQueue(cli.env, options.queue);
    const jobs = await searchJobs(cli.env, { queue: options.queue, status, limit });
    const zone = displayZone(options, cli.config);
    print(options.json, jobs.map(redactJob), jobs.length ? `${renderJobTable(jobs, zone)}\n${zoneNote(zone)}` : renderJobTable(jobs, zone));
    return EXIT.ok;
  });
}

function noJob(id: string): SchedulerError {
  return new EnqueueError("NO_SUCH_JOB", `no job with id ${id}${id.length >= MIN_PREFIX ? " or an id starting so" : ""}`, { hint: "list jobs with `scheduler jobs`" });
}

/** The full id of the job `id` names (a unique prefix is enough), or the no-such-job error. */
async function fullId(cli: CliContext, id: string): Promise<string> {
  const found = await resolveJobId(cli.env, id);
  if (found === undefined) throw noJob(id);
  return found;
}

async function runShow(id: string, options: CommonOptions, cmd: Command): Promise<number> {
  const o = merged(options, cmd);
  return withCli(o, async (cli) => {
    const detail = await readJobDetail(cli.env, await fullId(cli, id));
    if (!detail) throw noJob(id);
    const zone = displayZone(o, cli.config);
    const shown = { ...detail, job: redactJob(detail.job) };
    print(o.json, shown, `${renderJobDetail(shown, zone)}\n${zoneNote(zone)}`);
    return EXIT.ok;
  });
}

async function runRetry(id: string | undefined, options: RetryOptions, cmd: Command): Promise<number> {
  const o = merged(options, cmd);
  if (id !== undefined && o.failed) throw new UsageError("give a job id or --failed, not both");
  if (id === undefined && !o.failed) throw new UsageError("give a job id to retry, or --failed to retry every failed job");
  if (id !== undefined && o.queue !== undefined) throw new UsageError("--queue goes with --failed, not with a job id");
  return withCli(o, async (cli) => {
    if (id !== undefined) {
      id = await fullId(cli, id);
      try {
        await requeue(id, cli.env);
      } catch (err) {
        if (err instanceof SchedulerError && err.code === "NO_SUCH_JOB") throw noJob(id);
        throw err;
      }
      print(o.json, { requeued: [id], skipped: 0 }, `requeued ${id}`);
      return EXIT.ok;
    }
    await checkQueue(cli.env, o.queue);
    const res = await retryFailed(cli.env, { queue: o.queue });
    const where = o.queue ? ` of queue ${o.queue}` : "";
    const skipped = res.skipped ? ` (${res.skipped} left the failed registry meanwhile)` : "";
    print(o.json, res, `requeued ${res.requeued.length} failed job${res.requeued.length === 1 ? "" : "s"}${where}${skipped}`);
    return EXIT.ok;
  });
}

async function runCancel(id: string, options: CommonOptions, cmd: Command): Promise<number> {
  const o = merged(options, cmd);
  return withCli(o, async (cli) => {
    let res: "canceled" | "stopping";
    id = await fullId(cli, id);
    try {
      res = await cancel(id, cli.env);
    } catch (err) {
      if (err instanceof SchedulerError && err.code === "NO_SUCH_JOB") throw noJob(id);
      throw err;
    }
    if (res === "canceled") print(o.json, { canceled: id }, `canceled ${id}`);
    else {
      // The worker acts on its next heartbeat; `jobs show` / `logs --job` tell when it is done.
      const text = `stopping ${id}: it is running; its worker aborts its signal within a few seconds and kills it if it does not stop (see: scheduler jobs show ${id})`;
      print(o.json, { stopping: id }, text);
    }
    return EXIT.ok;
  });
}
