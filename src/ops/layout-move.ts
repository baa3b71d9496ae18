/**
 * `scheduler layout queue`: an existing installation on the installation layout (every key on
 * `{prefix}`, one slot of one master on a Redis Cluster) moves to the per-queue layout new
 * installations get. Only a drained and stopped one (layout_move.lua checks it and moves it in
 * one script): the marker alone says where a process builds its keys, so a job in flight, or a
 * process that read the old marker, would be left on keys nobody reads any more. What stays on
 * `{prefix}` (the events, the ledger, the schedules' records and counters) is read there on
 * either layout; ended jobs from before the move are no longer listed, and expire as before.
 */
import type { Redis } from "ioredis";
import { SchedulerError } from "../base/errors.js";
import { createKeys } from "../redis/keys.js";
import { runScript } from "../redis/scripts.js";
import { scriptResult } from "../redis/script-results.js";

/** What layout_move.lua counts, in the order a refusal names them. */
const HELD_KINDS = ["queued", "scheduled", "deferred", "started", "failed"] as const;

export type LayoutMove = { outcome: "moved" } | { outcome: "already"; layout: string };

/** Move `prefix` to the per-queue layout, or throw LAYOUT_NOT_DRAINED saying what holds it. */
export async function moveToQueueLayout(redis: Redis, prefix: string): Promise<LayoutMove> {
  const k = createKeys(prefix, { jobTags: "installation" });
  const prefixes = {
    queue: k.queue(""),
    wake: k.wake(""),
    scheduled: k.scheduled(""),
    deferred: k.deferred(""),
    started: k.started(""),
    failed: k.failed(""),
    finished: k.finished(""),
    canceled: k.canceled(""),
    worker: k.worker(""),
  };
  const answer = scriptResult.layout_move(await runScript(redis, "layout_move", [k.layout(), k.queues(), k.workers(), k.schedulerLeader()], [JSON.stringify(prefixes)]));
  if ("moved" in answer) return { outcome: "moved" };
  if ("layout" in answer) return { outcome: "already", layout: answer.layout };
  const held = Object.keys(answer.busy)
    .sort()
    .map((queue) => `${queue}: ${HELD_KINDS.filter((kind) => answer.busy[queue]![kind]).map((kind) => `${answer.busy[queue]![kind]} ${kind}`).join(", ")}`);
  if (answer.workers > 0) held.push(`${answer.workers} live worker${answer.workers === 1 ? "" : "s"}`);
  if (answer.leader) held.push("a scheduler leading");
  throw new SchedulerError("LAYOUT_NOT_DRAINED", `prefix "${prefix}" cannot move to the per-queue layout yet: ${held.join("; ")}`, {
    hint: "stop every daemon and worker of it, let its queues drain (or `scheduler purge`, `scheduler jobs retry`), then run it again; nothing was changed",
  });
}
