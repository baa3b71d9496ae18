/**
 * Which key layout an installation uses (issue 17): "installation", every job key on the
 * installation's hash tag `{prefix}` (one master on a cluster), or "queue", each queue's job
 * keys on a tag of their own. Every process of an installation must agree, so the layout is not
 * a per-process setting but a marker in Redis (`{prefix}:layout`, keys.layout()), read by each
 * process when it connects: the daemon, the worker (which passes it to its children in their
 * config), the CLI and the console. No marker: "installation", the layout of every installation
 * so far. The marker is written on a prefix that holds no installation yet by the first process
 * that writes jobs there: the layout its hooks name (`key_layout`, claimKeyLayout), else
 * NEW_INSTALLATION_LAYOUT (adoptKeyLayout); and by the test suite for its own prefixes. A process
 * that only reads writes nothing (keysOf). An installation never changes layout here.
 */
import type { Redis } from "ioredis";
import { createKeys, type JobTagLayout, type Keys } from "./keys.js";
import { SchedulerError } from "../base/errors.js";
import { runScript } from "./scripts.js";
import { scriptResult } from "./script-results.js";

const LAYOUTS: readonly JobTagLayout[] = ["installation", "queue"];

/** The layout `prefix`'s marker names ("installation" without one). */
export async function readKeyLayout(redis: Pick<Redis, "get">, prefix: string): Promise<JobTagLayout> {
  const key = createKeys(prefix).layout();
  const value = await redis.get(key);
  return value === null ? "installation" : knownLayout(key, value);
}

function knownLayout(key: string, value: string): JobTagLayout {
  if ((LAYOUTS as readonly string[]).includes(value)) return value as JobTagLayout;
  throw new SchedulerError("BAD_KEY_LAYOUT", `Redis key ${key} is "${value}", not one of ${LAYOUTS.join(", ")}`, {
    hint: `it names where this installation's job keys are; set it back to "installation" (or delete it) unless you moved them`,
  });
}

/**
 * The layout a process whose hooks name one (`key_layout`) runs on: the marker, set to `wanted`
 * when the prefix holds no installation yet (layout_claim.lua, one script on the installation's
 * tag, so two processes starting together agree). An installation already on another layout
 * is refused (KEY_LAYOUT_MISMATCH): its keys stay where they are.
 */
export async function claimKeyLayout(redis: Redis, prefix: string, wanted: JobTagLayout): Promise<JobTagLayout> {
  const k = createKeys(prefix);
  const { answer, layout } = await runLayoutClaim(redis, prefix, wanted);
  if (layout === wanted) return layout;
  const where = answer === "existing" ? `, its job keys on ${k.root} (no ${k.layout()} marker: an installation from before it)` : ` (Redis key ${k.layout()})`;
  throw new SchedulerError("KEY_LAYOUT_MISMATCH", `hooks key_layout is "${wanted}", but prefix "${prefix}" holds an installation on the "${layout}" layout${where}`, {
    hint: wanted === "queue" ? `use a new prefix, or move this one once drained and stopped (\`scheduler layout queue\`), or remove key_layout` : `remove key_layout, or set it to "${layout}"`,
  });
}

/** What a new installation gets when nothing names a layout: each queue on its own tag (issue 17). */
export const NEW_INSTALLATION_LAYOUT: JobTagLayout = "queue";

/**
 * The layout of a process that writes jobs and whose hooks name none: the marker's; a prefix that
 * holds no installation yet is marked NEW_INSTALLATION_LAYOUT (layout_claim.lua, so two processes
 * starting together agree), and an unmarked one with keys (from before the marker) keeps running
 * on "installation". Never refuses: nothing was asked for.
 */
export async function adoptKeyLayout(redis: Redis, prefix: string): Promise<JobTagLayout> {
  return (await runLayoutClaim(redis, prefix, NEW_INSTALLATION_LAYOUT)).layout;
}

/** layout_claim.lua for `layout`: its answer, and the layout the prefix runs on after it. */
async function runLayoutClaim(redis: Redis, prefix: string, layout: JobTagLayout): Promise<{ answer: string; layout: JobTagLayout }> {
  const k = createKeys(prefix);
  const answer = scriptResult.layout_claim(await runScript(redis, "layout_claim", [k.layout(), k.queues(), k.events(), k.schedulerState(), k.schedulerLeader(), k.workers()], [layout]));
  return { answer, layout: answer === "existing" ? "installation" : knownLayout(k.layout(), answer) };
}

/**
 * The layout of a process that writes jobs on `prefix` (the daemon, the workers, an app's
 * configure(), the CLI's enqueue, trigger and backfill): the one its hooks claim (`claim`, hooks
 * key_layout: refused when the installation runs on the other), else the one it adopts.
 */
export function layoutFor(redis: Redis, prefix: string, claim: JobTagLayout | undefined): Promise<JobTagLayout> {
  return claim ? claimKeyLayout(redis, prefix, claim) : adoptKeyLayout(redis, prefix);
}

/** The keys of `prefix` in layoutFor's layout. */
export async function claimedKeys(redis: Redis, prefix: string, claim: JobTagLayout | undefined): Promise<Keys> {
  return createKeys(prefix, { jobTags: await layoutFor(redis, prefix, claim) });
}

/** The keys of `prefix` in the layout its marker names. */
export async function keysOf(redis: Pick<Redis, "get">, prefix: string): Promise<Keys> {
  return createKeys(prefix, { jobTags: await readKeyLayout(redis, prefix) });
}
