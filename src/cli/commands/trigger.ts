/**
 * `scheduler trigger <event|cron expression|dotted.path> [--now]`: enqueue every task of that
 * event (or cron key, or the one task) now, through the normal enqueue (no slot guard: a
 * trigger is an extra run). --now runs them here, one after another, inside a job context.
 */
import { Command } from "commander";
import { describeError } from "../../errors.js";
import { enqueueIn } from "../../queue/enqueue.js";
import type { Job } from "../../queue/types.js";
import { selectTasks } from "../../scheduler/select-tasks.js";
import { action, EXIT, withCommon, type CommonOptions } from "../common.js";
import { openCli } from "../context.js";

interface TriggerOptions extends CommonOptions {
  now?: boolean;
}

async function runTrigger(target: string, options: TriggerOptions): Promise<number> {
  const cli = await openCli(options, { hooks: "required" });
  try {
    const { tasks } = selectTasks(cli.hooks!.tasks, target);
    let failed = 0;
    for (const t of tasks) {
      const base = { queue: t.queue, kwargs: t.kwargs, ...(t.timeout !== undefined ? { timeout: t.timeout } : {}), ...(t.onFailure !== undefined ? { onFailure: t.onFailure } : {}), ...(t.retry !== undefined ? { retry: t.retry } : {}) };
      if (options.now) {
        const started = Date.now();
        try {
          await enqueueIn(cli.env, t.method, { ...base, now: true });
          process.stdout.write(`ran ${t.method} (${Date.now() - started} ms)\n`);
        } catch (err) {
          failed++;
          process.stderr.write(`scheduler: ${t.method} failed: ${describeError(err)}\n`);
        }
        continue;
      }
      const job = (await enqueueIn(cli.env, t.method, base)) as Job;
      process.stdout.write(`enqueued ${t.method} -> ${job.id} (queue ${job.queue})\n`);
    }
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
