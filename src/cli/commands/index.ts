/** One file per command; this registers them in the order `--help` lists them. */
import type { Command } from "commander";
import { registerStart } from "./start.js";
import { registerWorker } from "./worker.js";
import { registerTrigger } from "./trigger.js";
import { registerEnqueue } from "./enqueue.js";
import { registerList } from "./list.js";
import { registerWhy } from "./why.js";
import { registerStatus } from "./status.js";
import { registerDoctor } from "./doctor.js";
import { registerJobs } from "./jobs.js";
import { registerPurge } from "./purge.js";
import { registerLogs } from "./logs.js";
import { registerSwitches } from "./switches.js";
import { registerReload } from "./reload.js";
import { registerServe } from "./serve.js";
import { registerMetrics } from "./metrics.js";
import { registerCalendar, registerBackfill, registerPlan } from "./schedule-commands.js";

export function registerCommands(program: Command): void {
  registerStart(program);
  registerWorker(program);
  registerTrigger(program);
  registerEnqueue(program);
  registerList(program);
  registerWhy(program);
  registerStatus(program);
  registerDoctor(program);
  registerJobs(program);
  registerPurge(program);
  registerLogs(program);
  registerSwitches(program);
  registerReload(program);
  registerServe(program);
  registerMetrics(program);
  registerCalendar(program);
  registerBackfill(program);
  registerPlan(program);
}
