/**
 * Helpers shared by the example tasks. A plain TS module imported by TS task modules: nothing is
 * built, the scheduler's TS loader follows the import.
 */

/** One line to stdout, tagged with the task, so `scheduler logs` and the worker output are easy to read. */
export function say(task: string, message: string): void {
  console.log(`[example_app] ${task}: ${message}`);
}

/** Resolve after `ms` (keeps example work visibly "busy" without any I/O). */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A small deterministic "report": counts and a checksum of the items. */
export function summarize(items: readonly string[]): { count: number; checksum: number } {
  let checksum = 0;
  for (const item of items) for (let i = 0; i < item.length; i++) checksum = (checksum * 31 + item.charCodeAt(i)) >>> 0;
  return { count: items.length, checksum };
}

/** Fake records to work on: `prefix-1` .. `prefix-n`. */
export function fakeRecords(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`);
}
