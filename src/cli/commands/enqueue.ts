/**
 * `scheduler enqueue <dotted.path> [key=value ...] [--kwargs JSON] [--queue Q] [--job-id ID
 * [--deduplicate]] [--delay 10m] [--json]`: one job from the shell, through the same enqueue() app code uses, so
 * the task is resolved (unknown -> the resolver's message, exit 1) before anything is written.
 */
import { Command } from "commander";
import { enqueueWith } from "../../queue/enqueue.js";
import type { Job } from "../../queue/types.js";
import { parseDuration } from "../../base/duration.js";
import { action, EXIT, UsageError, withCommon, type CommonOptions } from "../common.js";
import { openCli } from "../context.js";
import { parseKwargs } from "../format/kwargs.js";

interface EnqueueCliOptions extends CommonOptions {
  kwargs?: string;
  queue: string;
  jobId?: string;
  deduplicate?: boolean;
  delay?: string;
}

export function registerEnqueue(program: Command): void {
  withCommon(program.command("enqueue").description("enqueue one job from the shell"), { json: true })
    .argument("<method>", "dotted.path of the task")
    .argument("[kv...]", "kwargs as key=value (values parse as JSON when they are valid JSON, else strings)")
    .option("--kwargs <json>", "kwargs as a JSON object")
    .option("--queue <name>", "queue", "default")
    .option("--job-id <id>", "job id")
    .option("--deduplicate", "with --job-id: if a live job has that id, keep it and enqueue nothing")
    .option("--delay <duration>", "run later, e.g. 30s, 10m, 1h30m")
    .action(action(runEnqueue));
}

async function runEnqueue(method: string, pairs: string[], options: EnqueueCliOptions): Promise<number> {
  // Every argument is checked before the hooks load or Redis is touched.
  const kwargs = parseKwargs(options.kwargs, pairs);
  let delaySeconds: number | undefined;
  if (options.delay !== undefined) {
    try {
      delaySeconds = parseDuration(options.delay, "--delay") / 1000;
    } catch (err) {
      throw new UsageError((err as Error).message, { hint: 'e.g. --delay 30s, --delay 10m, --delay 1h30m' });
    }
  }
  if (options.deduplicate && options.jobId === undefined) {
    throw new UsageError("--deduplicate needs --job-id: it keeps the live job with that id", { hint: "e.g. --job-id nightly-sync --deduplicate" });
  }
  const cli = await openCli(options, { hooks: "required", writes: true });
  try {
    const job = (await enqueueWith(cli.env, method, {
      queue: options.queue,
      kwargs,
      ...(options.jobId !== undefined ? { jobId: options.jobId } : {}),
      ...(options.deduplicate ? { deduplicate: true } : {}),
      ...(delaySeconds !== undefined ? { delay: delaySeconds } : {}),
    })) as Job;
    if (options.json) process.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
    else process.stdout.write(`${job.id}\n`);
    // stdout stays the id alone (scripts read it); the note is for the person at the terminal.
    if (job.deduplicated && !options.json) process.stderr.write(`scheduler: job ${job.id} is already ${job.status}; nothing enqueued\n`);
    return EXIT.ok;
  } finally {
    await cli.close();
  }
}
