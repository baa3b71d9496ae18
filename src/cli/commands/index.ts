/**
 * One file per command, each loaded only when its command runs: loading every one (fastify for
 * serve, prom-client for metrics, the supervisor for start...) was most of a CLI start-up, and
 * `scheduler status` needs none of that. command-manifest.ts names them without loading any.
 */
import type { Command } from "commander";

type Register = (program: Command) => void;

const switches = async (): Promise<Register> => (await import("./switches.js")).registerSwitches;

/** The commands each module registers, in the order `--help` lists them. */
const MODULES: ReadonlyArray<readonly [names: readonly string[], load: () => Promise<Register>]> = [
  [["start"], async () => (await import("./start.js")).registerStart],
  [["worker"], async () => (await import("./worker.js")).registerWorker],
  [["trigger"], async () => (await import("./trigger.js")).registerTrigger],
  [["enqueue"], async () => (await import("./enqueue.js")).registerEnqueue],
  [["list"], async () => (await import("./list.js")).registerList],
  [["why"], async () => (await import("./why.js")).registerWhy],
  [["status"], async () => (await import("./status.js")).registerStatus],
  [["doctor"], async () => (await import("./doctor.js")).registerDoctor],
  [["jobs"], async () => (await import("./jobs.js")).registerJobs],
  [["purge"], async () => (await import("./purge.js")).registerPurge],
  [["logs"], async () => (await import("./logs.js")).registerLogs],
  [["enable", "disable", "pause", "resume"], switches],
  [["reload"], async () => (await import("./reload.js")).registerReload],
  [["serve"], async () => (await import("./serve.js")).registerServe],
  [["metrics"], async () => (await import("./metrics.js")).registerMetrics],
  [["calendar"], async () => (await import("./calendar.js")).registerCalendar],
  [["backfill"], async () => (await import("./schedule-commands.js")).registerBackfill],
  [["plan"], async () => (await import("./schedule-commands.js")).registerPlan],
  [["layout"], async () => (await import("./layout.js")).registerLayout],
];

/** Every command, in help order. */
export async function registerCommands(program: Command): Promise<void> {
  const registers = await Promise.all(MODULES.map(([, load]) => load()));
  for (const register of registers) register(program);
}

/**
 * Only the module of command `name` (with the commands it shares a file with); false when no
 * command has that name (the caller then loads them all, for commander's "did you mean").
 */
export async function registerCommand(program: Command, name: string): Promise<boolean> {
  const entry = MODULES.find(([names]) => names.includes(name));
  if (!entry) return false;
  (await entry[1]())(program);
  return true;
}
