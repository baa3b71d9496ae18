/**
 * The daemon's side of the HTTP server: what /metrics and /readyz see of this process's
 * scheduler and workers, and starting the server with the daemon's Redis and config.
 */
import type { Redis } from "ioredis";
import type { ResolvedConfig } from "../config/types.js";
import type { ScheduledTask } from "../hooks/types.js";
import type { Keys } from "../redis/keys.js";
import type { Scheduler } from "../scheduler/scheduler.js";
import type { Supervisor } from "../worker/supervisor/supervisor.js";
import type { WorkerGroupSpec } from "../worker/types.js";
import { startHttpServer, type HttpAddress, type HttpHandle } from "../http/server.js";
import type { DaemonRuntime, WorkerSlotView } from "../http/types.js";

/** Each worker process of the supervisor, as the probes and /metrics label it. */
export function workerSlots(supervisor: Supervisor): WorkerSlotView[] {
  return supervisor.groups.flatMap((g) =>
    g.slots.map((slot): WorkerSlotView => {
      const c = slot.child;
      const state = !c?.alive ? "down" : !c.ready ? "starting" : c.inFlight.size > 0 ? "busy" : "idle";
      return { group: g.spec.name, slot: slot.index, state, ...(c?.rss !== undefined ? { rss: c.rss } : {}) };
    }),
  );
}

export interface DaemonHttpInput {
  address: HttpAddress;
  redis: Redis;
  keys: Keys;
  config: ResolvedConfig;
  tasks: () => ScheduledTask[];
  readOnly: boolean;
  token?: string;
  clock: () => number;
  groups: WorkerGroupSpec[];
  scheduler: () => Scheduler | undefined;
  schedulerOn: boolean;
  supervisor: () => Supervisor | undefined;
  warn(message: string): void;
}

export async function startDaemonHttp(i: DaemonHttpInput): Promise<HttpHandle | undefined> {
  const runtime: DaemonRuntime = {};
  if (i.schedulerOn) {
    runtime.scheduler = () => {
      const s = i.scheduler()?.state();
      return { running: s?.running ?? false, leader: s?.leader ?? false };
    };
  }
  if (i.groups.length) {
    // before the supervisor exists every process is still starting
    runtime.workers = () => {
      const sup = i.supervisor();
      return sup ? workerSlots(sup) : i.groups.flatMap((g) => Array.from({ length: g.processes }, (_, slot): WorkerSlotView => ({ group: g.name, slot, state: "starting" })));
    };
  }
  const deps = {
    redis: i.redis,
    keys: i.keys,
    config: i.config,
    readOnly: i.readOnly,
    ...(i.token ? { token: i.token } : {}),
    clock: i.clock,
    role: "daemon" as const,
    runtime,
    get tasks() {
      return i.tasks();
    },
  };
  return startHttpServer(deps, { address: i.address, warn: i.warn });
}
