import { ConfigError } from "../../base/errors.js";
import type { WorkerGroupSpec } from "../types.js";

/**
 * Node flags of a group's children: the heap limit, so a task that allocates without bound dies
 * alone in its child (V8 aborts it; its job is handled as a crash) instead of swapping the host.
 * The group's `maxMemoryMb` wins over SCHEDULER_WORKER_MAX_MEMORY_MB.
 */
export function childExecArgv(spec: WorkerGroupSpec, env: NodeJS.ProcessEnv = process.env): string[] {
  const raw = env.SCHEDULER_WORKER_MAX_MEMORY_MB;
  const fromEnv = raw ? Number(raw) : undefined;
  if (fromEnv !== undefined && !(Number.isInteger(fromEnv) && fromEnv > 0)) {
    throw new ConfigError("CONFIG_INVALID", `SCHEDULER_WORKER_MAX_MEMORY_MB: "${raw}" is not a whole number of megabytes >= 1`, { hint: "e.g. SCHEDULER_WORKER_MAX_MEMORY_MB=512, or unset it" });
  }
  const mb = spec.maxMemoryMb ?? fromEnv;
  return mb === undefined ? [] : [`--max-old-space-size=${mb}`];
}
