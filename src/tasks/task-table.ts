/**
 * The task table: dotted paths -> task functions and back. Implemented by
 * src/tasks/task-loader.ts (modules loaded through the TS loader, confined to the app root); the
 * queue uses it to validate methods at enqueue time and workers use it to run them.
 */

export type TaskFunction = (kwargs: Record<string, unknown>) => unknown;

export interface TaskTable {
  /** The app root dotted paths resolve under. */
  readonly appRoot: string;
  /** Load and return the task function; throws TaskResolutionError with a clear message. */
  resolve(dottedPath: string): Promise<TaskFunction>;
  /** The task function if this table has resolved the path before (no await: the hot path). */
  known?(dottedPath: string): TaskFunction | undefined;
  /** The dotted path of a function exported by an app module loaded so far, if any. */
  pathOf(fn: Function): string | undefined;
}

/** @deprecated use TaskTable (the glossary's word: "registry" is only the Redis sets of jobs by state) */
export type TaskRegistry = TaskTable;
