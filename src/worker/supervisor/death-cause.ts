/**
 * Why a worker child died, in words for the reason of the jobs it took down (pure). The exit
 * code or signal says little on its own: a V8 heap overflow, for one, ends in SIGABRT or code
 * 134 with the telling line only on the child's stderr.
 */

/** Lines V8 prints when a heap limit is hit (`--max-old-space-size`, hooks `maxMemoryMb`). */
const OUT_OF_MEMORY = /JavaScript heap out of memory|Reached heap limit|Allocation failed/i;

export function deathCause(exit: { code: number | null; signal: NodeJS.Signals | null; stderrTail: string[] }): string {
  if (exit.stderrTail.some((line) => OUT_OF_MEMORY.test(line))) {
    return "out of memory (the V8 heap limit was reached; raise the queue's maxMemoryMb or process less at once)";
  }
  if (exit.signal === "SIGKILL") return "killed by SIGKILL (the system's out-of-memory killer, or kill -9)";
  if (exit.signal) return `killed by ${exit.signal}`;
  return `exited with code ${exit.code} (process.exit in a task, or a crash)`;
}
