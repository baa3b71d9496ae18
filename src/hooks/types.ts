/** What a user writes in hooks.ts, and the normalized form the scheduler consumes. */
import type { QueueConfig, RateLimit, RedisTlsSettings } from "../config/types.js";
import type { RetryInput, RetryPolicy } from "../config/retry-policy.js";
import type { ScheduleOptions, ScheduleOptionsInput } from "./schedule-options.js";
import type { CatchupPolicy } from "../schedule/due.js";
import type { EventName } from "../schedule/events.js";

/** One entry of an event list: a dotted path or an object with options. */
export type TaskEntry =
  | string
  | (ScheduleOptionsInput & {
      method: string;
      queue?: string;
      timeout?: number;
      catchup?: CatchupPolicy;
      /** Random delay up to this many seconds, to spread load (the slot is unchanged). */
      jitter?: number;
      kwargs?: Record<string, unknown>;
      /** Dotted path of a failure handler for this task's jobs, besides `job_failure_handlers`. */
      on_failure?: string;
      /** Retries of a failed run: a number, or { max, backoff, delay, jitter }; default: the queue's. */
      retry?: RetryInput;
    });

export type SchedulerEvents = Partial<Record<EventName, TaskEntry[]>> & {
  cron?: Record<string, TaskEntry[]>;
  cron_long?: Record<string, TaskEntry[]>;
};

export interface HooksDefinition {
  scheduler_events?: SchedulerEvents;
  /** Override the cron expression of a named event, e.g. `{ weekly: "0 0 * * 0" }` (Frappe's Sunday). */
  event_expressions?: Partial<Record<EventName, string>>;
  timezone?: string;
  scheduler_interval?: number;
  /**
   * A URL, or { url, tls: { ca, cert, key, servername, rejectUnauthorized } } (src/redis/tls.ts),
   * or { cluster: [{ host, port }] | sentinels: [...], name, ... } (src/redis/redis-url.ts).
   */
  redis?: string | ({ url?: string; tls?: RedisTlsSettings | boolean } & Omit<import("../redis/redis-url.js").TopologyObject, "tls">);
  prefix?: string;
  app_root?: string;
  log_level?: string;
  queues?: Record<string, Partial<Omit<QueueConfig, "retry">> & { rateLimit?: RateLimit; retry?: RetryInput }>;
  retention?: { finished?: number; failed?: number };
  /** Dotted paths called once per final job failure (issue: failure handling). */
  job_failure_handlers?: string[];
  /** HMAC-sign job payloads; workers refuse unsigned or altered jobs (src/security/signing.ts). */
  signing?: { secret: string; maxAge?: number };
  /** Keys masked at any depth in notifiers, `jobs show`, logs and events (src/security/redact.ts); replaces the default list. */
  redact?: string[];
  /** `allow`: the only modules, dotted paths or globs tasks may resolve to (src/tasks/task-allow.ts). */
  tasks?: { allow: string[] };
  /**
   * Seconds a due slot may stay unrecorded before a follower daemon takes the lead and fires it
   * (default 1.5; src/scheduler/failover.ts).
   */
  failover_grace?: number;
  /**
   * Where a new installation's job keys go (issue 17, docs/architecture.md "Keys per queue"):
   * "queue" puts each queue on a hash tag of its own, so on a Redis Cluster each queue is its own
   * shard; "installation" keeps every queue on `{prefix}`. Claimed by the daemon and the workers
   * on a prefix that holds nothing yet; on an existing installation of the other layout they
   * refuse to start (KEY_LAYOUT_MISMATCH). Absent: whatever the installation runs on (a new one:
   * "installation").
   */
  key_layout?: "installation" | "queue";
  /**
   * Where a 6-field cron has its seconds: "first" (cron-parser, the default) or "last"
   * (croniter, what Frappe's 6-field crons mean). src/schedule/cron-dialect.ts.
   */
  cron_seconds?: "first" | "last";
  /** Raise or lower the bounds of src/config/limits.ts (kwargsBytes, delaySeconds, workersPerQueue, ...). */
  limits?: Partial<import("../config/limits.js").Limits>;
}

/** One (task, schedule) pair after normalization: what the scheduler fires. */
export interface ScheduledTask extends Partial<ScheduleOptions> {
  /** Stable id, unique within the hooks file: `<event or cron expr>|<method>`. */
  id: string;
  /** The event name (`daily`, `cron`, `cron_long`, ...). */
  event: string;
  /** Cron expression (5 or 6 fields, seconds first when 6) or `@every <seconds>` for `all`. */
  expression: string;
  method: string;
  queue: string;
  timeout?: number;
  catchup: CatchupPolicy;
  jitter: number;
  kwargs: Record<string, unknown>;
  /** The entry's `on_failure` handler, carried onto each job as `onFailure`. */
  onFailure?: string;
  /** The entry's `retry`, normalized; absent: the queue's default applies at enqueue. */
  retry?: RetryPolicy;
  /** Where it was declared, for messages: `scheduler_events.cron["0 9 * * *"][0]`. */
  source: string;
}

export interface LoadedHooks {
  file: string;
  definition: HooksDefinition;
  tasks: ScheduledTask[];
}
