/**
 * Which key layout an installation uses (issue 17): "installation", every job key on the
 * installation's hash tag `{prefix}` (one master on a cluster), or "queue", each queue's job
 * keys on a tag of their own. Every process of an installation must agree, so the layout is not
 * a per-process setting but a marker in Redis (`{prefix}:layout`, keys.layout()), read by each
 * process when it connects: the daemon, the worker (which passes it to its children in their
 * config), the CLI and the console. No marker: "installation", the layout of every installation
 * so far. Nothing writes the marker yet but the test suite (TEST_JOB_TAGS=queue, for its own
 * prefixes); the flip will write it for new installations, and a migration for old ones.
 */
import type { Redis } from "ioredis";
import { createKeys, type JobTagLayout, type Keys } from "./keys.js";
import { SchedulerError } from "../base/errors.js";

const LAYOUTS: readonly JobTagLayout[] = ["installation", "queue"];

/** The layout `prefix`'s marker names ("installation" without one). */
export async function readKeyLayout(redis: Pick<Redis, "get">, prefix: string): Promise<JobTagLayout> {
  const key = createKeys(prefix).layout();
  const value = await redis.get(key);
  if (value === null) return "installation";
  if ((LAYOUTS as readonly string[]).includes(value)) return value as JobTagLayout;
  throw new SchedulerError("BAD_KEY_LAYOUT", `Redis key ${key} is "${value}", not one of ${LAYOUTS.join(", ")}`, {
    hint: `it names where this installation's job keys are; set it back to "installation" (or delete it) unless you moved them`,
  });
}

/** The keys of `prefix` in the layout its marker names. */
export async function keysOf(redis: Pick<Redis, "get">, prefix: string): Promise<Keys> {
  return createKeys(prefix, { jobTags: await readKeyLayout(redis, prefix) });
}
