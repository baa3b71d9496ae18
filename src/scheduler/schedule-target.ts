/**
 * The one schedule a per-schedule command (pause, resume, backfill) acts on: a task id, or a
 * dotted path scheduled once. A path scheduled under several events is ambiguous: the error
 * lists the ids to pick from (the ones `scheduler list --json` shows).
 */
import { SchedulerError } from "../base/errors.js";
import { EnqueueError } from "../base/errors.js";
import type { ScheduledTask } from "../hooks/types.js";

export function resolveSchedule(tasks: ScheduledTask[], target: string): ScheduledTask {
  const wanted = target.trim();
  const byId = tasks.find((t) => t.id === wanted);
  if (byId) return byId;
  const byMethod = tasks.filter((t) => t.method === wanted);
  if (byMethod.length === 1) return byMethod[0]!;
  if (byMethod.length > 1) {
    throw new SchedulerError("AMBIGUOUS_TASK", `"${wanted}" is scheduled ${byMethod.length} times`, {
      hint: `name one task id: ${byMethod.map((t) => `"${t.id}"`).join(", ")}`,
    });
  }
  const methods = [...new Set(tasks.map((t) => t.method))];
  throw new EnqueueError("UNKNOWN_TASK", `no scheduled task "${wanted}" in the hooks file`, {
    hint: methods.length ? `scheduled: ${methods.slice(0, 8).join(", ")}${methods.length > 8 ? ", ..." : ""}; \`scheduler list\` shows every task id` : "the hooks file schedules no tasks",
  });
}
