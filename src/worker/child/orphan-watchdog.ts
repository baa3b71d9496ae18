/**
 * A child whose event loop is blocked (a task in a CPU loop) cannot see its IPC channel close
 * when the supervisor dies (kill -9, OOM killer): it would spin on as an orphan that nobody
 * kills, its jobs already handed to other workers when their leases lapse. A tiny worker
 * thread, with an event loop of its own, looks at the parent pid once a second and kills this
 * process when the parent is gone (Linux has no portable "die with my parent" for Node).
 */
import { Worker } from "node:worker_threads";

/** How often the thread looks; an orphan lives at most about this long. */
export const ORPHAN_CHECK_MS = 1000;

// Plain script, no require/import: it runs whether the child's flags make eval code CommonJS
// or ESM (--input-type). Its numbers come in as its argv.
const WATCHDOG = `
const [parent, pid, intervalMs] = process.argv.slice(-3).map(Number);
setInterval(() => {
  if (process.ppid !== parent) process.kill(pid, "SIGKILL");
}, intervalMs);
`;

export function watchParent(intervalMs = ORPHAN_CHECK_MS): Worker {
  const worker = new Worker(WATCHDOG, {
    eval: true,
    argv: [process.ppid, process.pid, intervalMs],
    // It holds one timer: keep its heap small.
    resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 1 },
  });
  // The child's lifetime is decided elsewhere (its IPC channel, its Redis connections).
  worker.unref();
  return worker;
}
