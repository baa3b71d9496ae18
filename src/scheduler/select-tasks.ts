/**
 * Which scheduled tasks a CLI argument names (`trigger`, `why`): an event (`daily`,
 * `hourly_long`, `all`), a cron expression of the `cron` map, a dotted task path, or a task id.
 */
import { SchedulerError } from "../base/errors.js";
import type { ScheduledTask } from "../hooks/types.js";

export type Selection = { kind: "event" | "cron" | "method" | "id"; tasks: ScheduledTask[] };

/** The cron key as written in the hooks file (the id keeps it; `expression` is its canonical form, cron-dialect.ts). */
const writtenCron = (t: ScheduledTask) => t.id.slice(t.event.length + 1, t.id.lastIndexOf("|")).split(/\s+/).join(" ");

export function selectTasks(tasks: ScheduledTask[], target: string): Selection {
  const wanted = target.trim();
  const byId = tasks.filter((t) => t.id === wanted);
  if (byId.length) return { kind: "id", tasks: byId };
  const byEvent = tasks.filter((t) => t.event === wanted && !t.event.startsWith("cron"));
  if (byEvent.length) return { kind: "event", tasks: byEvent };
  const normalized = wanted.split(/\s+/).join(" ");
  const byCron = tasks.filter((t) => t.event.startsWith("cron") && (writtenCron(t) === normalized || t.expression.split(/\s+/).join(" ") === normalized));
  if (byCron.length) return { kind: "cron", tasks: byCron };
  const byMethod = tasks.filter((t) => t.method === wanted);
  if (byMethod.length) return { kind: "method", tasks: byMethod };
  const events = [...new Set(tasks.filter((t) => !t.event.startsWith("cron")).map((t) => t.event))];
  const crons = [...new Set(tasks.filter((t) => t.event.startsWith("cron")).map((t) => `"${writtenCron(t)}"`))];
  throw new SchedulerError("UNKNOWN_TARGET", `no event, cron expression or scheduled task "${wanted}" in the hooks file`, {
    hint: `known: ${[...events, ...crons].join(", ") || "no scheduled tasks"}; \`scheduler list\` shows every task`,
  });
}
