/**
 * Task functions loaded from app modules -> their dotted paths, so `enqueue(send_notification)`
 * names the function's path. Process-wide: task modules are loaded through jiti, which may
 * evaluate its own copy of this package when a task imports it, so the map lives on globalThis
 * under a registered symbol (one map for every copy).
 */
const KEY = Symbol.for("hooks-scheduler.task-paths");

export function taskPaths(): WeakMap<Function, string> {
  const g = globalThis as unknown as Record<symbol, WeakMap<Function, string> | undefined>;
  return (g[KEY] ??= new WeakMap());
}
