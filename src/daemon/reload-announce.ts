/**
 * Telling the world what a reload did: a `scheduler.reloaded` (or `scheduler.reload_failed`)
 * event in the stream, so `scheduler logs` shows it from any machine, and the answer to the
 * `scheduler reload` that asked, when one did.
 */
import { appendEvent } from "../log/events.js";
import type { QueueEnv } from "../queue/context.js";
import type { ReloadReply } from "./control.js";
import type { TaskDiff } from "./reload.js";

export function summarizeDiff(diff: TaskDiff): Pick<ReloadReply, "added" | "removed" | "changed"> {
  return { added: diff.added.map((t) => t.id), removed: diff.removed.map((t) => t.id), changed: diff.changed.map((t) => t.id) };
}

/** One line for people: "12 tasks; 1 added, 0 removed, 2 changed; 2 worker processes replaced". */
export function describeReload(r: ReloadReply): string {
  if (!r.ok) return `reload refused, the previous hooks keep running: ${r.error ?? "unknown error"}`;
  const workers = r.workersReplaced ? `; ${r.workersReplaced} worker process${r.workersReplaced === 1 ? "" : "es"} replaced` : "";
  return `${r.tasks ?? 0} tasks; ${r.added?.length ?? 0} added, ${r.removed?.length ?? 0} removed, ${r.changed?.length ?? 0} changed${workers}`;
}

export async function announceReload(env: Pick<QueueEnv, "redis" | "keys" | "clock">, why: string, reply: ReloadReply, replyTo?: string): Promise<void> {
  await appendEvent(env.redis, env.keys, {
    type: reply.ok ? "scheduler.reloaded" : "scheduler.reload_failed",
    level: reply.ok ? "info" : "error",
    at: env.clock(),
    msg: `${reply.daemon} (${why}): ${describeReload(reply)}`,
    data: { ...reply },
  });
  if (replyTo) await env.redis.publish(replyTo, JSON.stringify(reply));
}
