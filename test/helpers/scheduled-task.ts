/** A cron task as hooks normalization makes it, for the scheduler tests that build their own list. */
import type { ScheduledTask } from "../../src/hooks/types.js";

/** `app.tasks.<name>` on `expression` (default every minute), queue default, catch-up latest. */
export function cronTask(name: string, expression = "* * * * *", extra: Partial<ScheduledTask> = {}): ScheduledTask {
  return {
    id: `cron|${expression}|app.tasks.${name}`,
    event: "cron",
    expression,
    method: `app.tasks.${name}`,
    queue: "default",
    catchup: "latest",
    jitter: 0,
    kwargs: {},
    source: `test ${name}`,
    ...extra,
  };
}
