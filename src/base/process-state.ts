/**
 * Process-wide runtime state shared by every copy of this package that a process loads.
 *
 * Task modules are loaded through a TS loader (jiti), which may evaluate its own copy of
 * `hooks-scheduler` when a task imports it. State kept in module scope would then split in two
 * (currentJob() would see nothing), so it lives on globalThis under a registered symbol.
 */
import { AsyncLocalStorage } from "node:async_hooks";

export interface ProcessState {
  /** The job (or transaction) whose code is running, per async context. */
  jobStorage: AsyncLocalStorage<unknown>;
  /** The active queue context (Redis + keys + config), set by the daemon, a worker or the app. */
  active: unknown;
  /** Task functions loaded from app modules -> their dotted paths. */
  taskPaths: WeakMap<Function, string>;
  /**
   * Runs a task as a job inside a job context (src/runtime/job-context.ts registers it), so
   * the queue can run jobs here (enqueue `now`, a handle's perform()) without importing the
   * runtime layer above it.
   */
  jobRunner?: unknown;
}

const KEY = Symbol.for("hooks-scheduler.runtime");

export function processState(): ProcessState {
  const g = globalThis as unknown as Record<symbol, ProcessState | undefined>;
  let state = g[KEY];
  if (!state) {
    state = { jobStorage: new AsyncLocalStorage(), active: undefined, taskPaths: new WeakMap() };
    g[KEY] = state;
  }
  return state;
}
