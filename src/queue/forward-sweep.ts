/**
 * The sweep of every tag's forward records (forward-records.ts): what a notification missed or a
 * crashed applier left. Run by the worker supervisor on its maintenance timer (forwarder.ts).
 */
import type { QueueEnv } from "./context.js";
import { applyForwardRecords } from "./forward-records.js";
import { listedQueuesByJobTag } from "./find-job.js";
import { readPerTag } from "../redis/tag-pipeline.js";

type ForwardEnv = Pick<QueueEnv, "redis" | "keys" | "clock"> & Partial<Pick<QueueEnv, "retention">>;

/** The tags of every listed queue (the installation's job tag alone on the installation layout). */
export async function forwardTags(env: Pick<QueueEnv, "redis" | "keys">): Promise<string[]> {
  return (await listedQueuesByJobTag(env)).map((g) => g.tag);
}

/**
 * Apply what every tag has pending: one HLEN per tag (one pipeline per tag, sent together), then
 * a pass over each tag that has records. Nothing on the installation layout, where no record is
 * ever written. Answers how many records were applied.
 */
export async function sweepForwardRecords(env: ForwardEnv): Promise<number> {
  if (env.keys.jobTags === "installation") return 0;
  const tags = await forwardTags(env);
  const lengths = await readPerTag(env.redis, tags, (t) => t, (pipe, t) => void pipe.hlen(env.keys.forward(t)));
  const busy = tags.filter((_, i) => Number(lengths[i]?.[0] ?? 0) > 0);
  const counts = await Promise.all(busy.map((t) => applyForwardRecords(env, t)));
  return counts.reduce((a, b) => a + b, 0);
}
