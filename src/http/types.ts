/**
 * What the HTTP layer is given: the Redis and config it reads, the access switches the console
 * enforces, and (in a daemon) a window on the scheduler and workers running in this process.
 */
import type { Redis } from "ioredis";
import type { Keys } from "../redis/keys.js";
import type { ResolvedConfig } from "../config/types.js";
import type { ScheduledTask } from "../hooks/types.js";

export interface HttpDeps {
  redis: Redis; // command connection, never used for blocking reads
  keys: Keys;
  config: ResolvedConfig; // zone, queues, prefix, ...
  readOnly: boolean; // --read-only (writes answer 405; enforced by the console's code)
  token?: string; // --http-token / SCHEDULER_HTTP_TOKEN (enforced by the console's code)
  clock: () => number;
  role: "daemon" | "serve";
  /** The hooks' scheduled tasks (for next-fire figures); absent without a hooks file. */
  tasks?: readonly ScheduledTask[];
  /** The scheduler and workers of this process (role "daemon"); absent for `scheduler serve`. */
  runtime?: DaemonRuntime;
}

/** One worker process as /metrics and /readyz see it. */
export interface WorkerSlotView {
  /** The worker group (its queues, comma-separated, e.g. "short,default"). */
  group: string;
  /** Position of the process in its group (a stable label across restarts). */
  slot: number;
  state: "idle" | "busy" | "starting" | "down";
  rss?: number;
}

export interface DaemonRuntime {
  /** undefined: this daemon runs no scheduler (--no-scheduler). */
  scheduler?: () => { running: boolean; leader: boolean };
  /** undefined: this daemon runs no workers (--no-workers). */
  workers?: () => WorkerSlotView[];
}
