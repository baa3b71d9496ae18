/**
 * `scheduler trigger <event|cron expression|dotted.path> [--now]`: enqueue every task of that
 * event (or cron key, or the one task) now, through the normal enqueue (no slot guard: a
 * trigger is an extra run). --now runs them here, one after another, inside a job context.
 */
import { Command } from "commander";
import { describeError } from "../../base/errors.js";
import { enqueueWith } from "../../queue/enqueue.js";
// --now runs tasks in a job context: loading it registers its job runner with the queue.
import "../../runtime/job-context.js";
import type { Job } from "../../queue/types.js";
import { selectTasks } from "../../scheduler/select-tasks.js";
import { action, EXIT, withCommon, type CommonOptions } from "../common.js";
import { openCli } from "../context.js";

interface TriggerOptions extends CommonOptions {
  now?: boolean;
}

async function runTrigger(target: string, options: TriggerOptions): Promise<number> {
  const cli = await openCli(options, { hooks: "required", writes: true });
  try {
    const { tasks } = selectTasks(cli.hooks!.tasks, target);
    let failed = 0;
    const results: Array<Record<string, unknown>> = [];
    // Under --json the lines are collected and printed as one document at the end.
    const say = (text: string, record: Record<string, unknown>) => {
      results.push(record);
      if (!options.json) process.stdout.write(`${text}\n`);
    };
    for (const t of tasks) {
      const base = { queue: t.queue, kwargs: t.kwargs, ...(t.timeout !== undefined ? { timeout: t.timeout } : {}), ...(t.onFailure !== undefined ? { onFailure: t.onFailure } : {}), ...(t.retry !== undefined ? { retry: t.retry } : {}) };
      if (options.now) {
        const started = Date.now();
        try {
          await enqueueWith(cli.env, t.method, { ...base, now: true });
          say(`ran ${t.method} (${Date.now() - started} ms)`, { method: t.method, ran: true, ms: Date.now() - started });
        } catch (err) {
          failed++;
          if (options.json) results.push({ method: t.method, ran: false, error: describeError(err) });
          else process.stderr.write(`scheduler: ${t.method} failed: ${describeError(err)}\n`);
        }
        continue;
      }
      const job = (await enqueueWith(cli.env, t.method, base)) as Job;
      say(`enqueued ${t.method} -> ${job.id} (queue ${job.queue})`, { method: t.method, id: job.id, queue: job.queue });
    }
    if (options.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    return failed ? EXIT.failure : EXIT.ok;
  } finally {
    await cli.close();
  }
}

export function registerTrigger(program: Command): void {
  withCommon(program.command("trigger").description("enqueue every task of an event (or one task, or a cron expression) now"))
    .argument("<target>", "event name, cron expression or dotted.path")
    .option("--now", "run in this process instead of enqueueing")
    .action(action(runTrigger));
}
