/**
 * Which child processes to run: `scheduler worker` flags -> one group; the hooks `queues`
 * settings -> one group per queue (for `scheduler start`). Bad flags are one-line ConfigErrors.
 */
import type { ResolvedConfig } from "../../config/types.js";
import { ConfigError } from "../../base/errors.js";
import type { Strategy, WorkerGroupSpec } from "../types.js";

export interface WorkerFlags {
  /** Comma-separated queue names in priority order. */
  queues: string;
  concurrency?: string | number;
  processes?: string | number;
  /** "default" | "priority" | "round_robin". */
  strategy?: string;
}

export function planWorkerGroup(config: ResolvedConfig, flags: WorkerFlags): WorkerGroupSpec {
  const queues = parseQueues(config, flags.queues);
  const concurrency =
    flags.concurrency === undefined ? Math.max(1, ...queues.map((q) => config.queues[q]?.concurrency ?? 1)) : positiveInt("--concurrency", flags.concurrency);
  const processes = flags.processes === undefined ? 1 : positiveInt("--processes", flags.processes);
  return { name: queues.join(","), queues, processes, concurrency, strategy: parseStrategy(flags.strategy), ...memoryLimit(config, queues) };
}

/** One group per queue, with that queue's `workers` and `concurrency` (`scheduler start`). */
export function groupsFromConfig(config: ResolvedConfig, only?: string): WorkerGroupSpec[] {
  const names = only === undefined ? Object.keys(config.queues) : parseQueues(config, only);
  return names.map((q) => {
    const c = config.queues[q]!;
    return { name: q, queues: [q], processes: Math.max(1, c.workers), concurrency: Math.max(1, c.concurrency), strategy: "priority", ...memoryLimit(config, [q]) };
  });
}

/**
 * A child runs jobs of every queue it serves, so it gets the largest `maxMemoryMb` among them
 * (none set: no limit beyond Node's default, or SCHEDULER_WORKER_MAX_MEMORY_MB; see supervisor).
 */
function memoryLimit(config: ResolvedConfig, queues: string[]): { maxMemoryMb?: number } {
  const limits = queues.map((q) => config.queues[q]?.maxMemoryMb).filter((n): n is number => n !== undefined);
  return limits.length > 0 ? { maxMemoryMb: Math.max(...limits) } : {};
}

export function parseQueues(config: ResolvedConfig, raw: string): string[] {
  const names = raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) throw new ConfigError("CONFIG_INVALID", `--queue: no queue named in "${raw}"`, { hint: "e.g. --queue short,default" });
  const known = Object.keys(config.queues);
  for (const name of names) {
    if (!config.queues[name]) {
      throw new ConfigError("CONFIG_INVALID", `--queue: unknown queue "${name}"`, {
        hint: `known queues: ${known.join(", ")}; add it under \`queues\` in ${config.hooksFile}`,
      });
    }
  }
  return [...new Set(names)];
}

function parseStrategy(raw: string | undefined): Strategy {
  if (raw === undefined || raw === "default" || raw === "priority") return "priority";
  if (raw === "round_robin" || raw === "round-robin") return "round_robin";
  throw new ConfigError("CONFIG_INVALID", `--strategy: "${raw}" is not a strategy`, { hint: "use default (priority order) or round_robin" });
}

function positiveInt(flag: string, raw: string | number): number {
  const n = typeof raw === "number" ? raw : Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError("CONFIG_INVALID", `${flag}: "${raw}" is not a positive whole number`, { hint: `e.g. ${flag} 4` });
  return n;
}
