/**
 * The ARGV[1] header every job script gets (see src/redis/lua/job_lib.lua): the key root keys.ts
 * puts before "<kind>:<name>" on the call's tag (checked against keys.ts for every kind the
 * scripts use), plus the
 * events cap, the attempt-history cap, the children cap, the cascade bound and the retention of
 * jobs a script cancels; space-separated, so the scripts parse it with one string.match (a JSON
 * header cost a cjson.decode per call).
 */
import { METRICS_ON } from "../telemetry/metrics-switch.js";
import type { Keys } from "../redis/keys.js";
import { EVENTS_MAXLEN } from "../log/events.js";
import { runScript } from "../redis/scripts.js";
import { inOneWrite } from "../redis/one-write.js";
import { markListed, toList } from "./listed-queues.js";
import type { QueueEnv } from "./context.js";

/** Attempt records kept per job (oldest dropped first). */
export const ATTEMPTS_KEPT = 25;
/** Expired registry entries removed per complete/fail call (retention piggyback). */
export const TRIM_BOUND = 10;
/** Child ids kept per parent job (newest kept; `childCount` on the parent counts them all). */
export const CHILDREN_KEPT = 1000;
/**
 * Dependents settled per script call when a dependency fails (the transitive cancel walk).
 * Past it the rest stay deferred until cleanRegistries' deferred sweep settles them.
 */
export const CASCADE_BOUND = 1000;

/** Per key set: per tag, per canceled-jobs retention, the header (a worker calls one script per job). */
const headers = new WeakMap<Keys, Map<string, Map<number, string>>>();

/** Retention of canceled jobs when the caller has no retention config (7 days, as failed). */
const DEFAULT_CANCELED_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * The header for a script call on `tag` (the installation's by default); `canceledTtlMs` is
 * the retention of jobs a script cancels.
 */
export function scriptHeader(keys: Keys, canceledTtlMs: number = DEFAULT_CANCELED_TTL_MS, tag: string = keys.root): string {
  let byTag = headers.get(keys);
  if (!byTag) {
    byTag = new Map();
    headers.set(keys, byTag);
  }
  let byTtl = byTag.get(tag);
  if (!byTtl) {
    byTtl = new Map();
    byTag.set(tag, byTtl);
  }
  let h = byTtl.get(canceledTtlMs);
  if (!h) {
    // the 7th field: write the per-minute metrics history (history_lib.lua) or not
    // the 8th, off the installation's tag only: its root, where the schedules' state is (job_lib HOME_ROOT)
    const fields = [keyRoot(keys, tag), EVENTS_MAXLEN, ATTEMPTS_KEPT, CHILDREN_KEPT, CASCADE_BOUND, Math.round(canceledTtlMs), METRICS_ON ? 1 : 0];
    h = (tag === keys.root ? fields : [...fields, `${keys.root}:`]).join(" ");
    byTtl.set(canceledTtlMs, h);
  }
  return h;
}

/** Kinds of keys the job scripts build themselves (job_lib's key(kind, name)), by what names them. */
const QUEUE_KINDS = ["queue", "wake", "started", "finished", "failed", "scheduled", "canceled", "deferred"] as const;
const ID_KINDS = ["job", "attempts", "dependents", "children", "remoteDependents", "remoteDeps"] as const;
/** Their names in the scripts, where keys.ts's differ (camelCase there, kebab-case in keys). */
const KIND_NAMES: Partial<Record<(typeof ID_KINDS)[number], string>> = { remoteDependents: "remote-dependents", remoteDeps: "remote-deps" };

/**
 * The part of every per-job/per-queue key of `tag` before "<kind>:<name>" (e.g. "{hs}:"). The
 * scripts build keys as root .. kind .. ":" .. name, so check here that keys.ts builds them the
 * same way: a job's keys on the tag given, a queue's on its jobTag (checked for a queue whose
 * jobTag is `tag`, when the tag is one of the installation's or a queue's).
 */
function keyRoot(keys: Keys, tag: string): string {
  const root = `${tag}:`;
  if (/\s/.test(root)) throw new Error(`scriptHeader: key root "${root}" contains whitespace; the script header is space-separated`);
  for (const kind of ID_KINDS) {
    const built = keys[kind]("x", tag);
    const name = KIND_NAMES[kind] ?? kind;
    if (built !== `${root}${name}:x`) {
      throw new Error(`scriptHeader: keys.${kind}("x", "${tag}") is "${built}", not "${root}${name}:x" as the job scripts (src/redis/lua/job_lib.lua key()) assume`);
    }
  }
  const queue = sampleQueueOf(keys, tag);
  for (const kind of queue === undefined ? [] : QUEUE_KINDS) {
    const built = keys[kind](queue!);
    if (built !== `${root}${kind}:${queue}`) {
      throw new Error(`scriptHeader: keys.${kind}("${queue}") is "${built}", not "${root}${kind}:${queue}" as the job scripts (src/redis/lua/job_lib.lua key()) assume`);
    }
  }
  // the per-minute history (history_lib.lua), which the readers look for on the same tag
  const history = [queue === undefined ? undefined : [keys.history(0, queue), `${root}history:0:${queue}`], [keys.taskHistory(0, "x", tag), `${root}task-history:0:x`]];
  for (const [built, expected] of history.filter((h) => h !== undefined)) {
    if (built !== expected) throw new Error(`scriptHeader: keys.ts builds "${built}", not "${expected}" as history_lib.lua assumes`);
  }
  return root;
}

/** A queue name whose job keys are on `tag` (undefined when no name's are). */
function sampleQueueOf(keys: Keys, tag: string): string | undefined {
  if (keys.jobTag("default") === tag) return "default";
  const own = `{${keys.prefix}:`;
  if (!tag.startsWith(own) || !tag.endsWith("}")) return undefined;
  const queue = tag.slice(own.length, -1);
  return keys.jobTag(queue) === tag ? queue : undefined;
}

/** What a script call needs of a QueueEnv (the retention, when known, sets how long canceled jobs are kept). */
type ScriptEnv = Pick<QueueEnv, "redis" | "keys" | "clock"> & Partial<Pick<QueueEnv, "retention">>;

/** Canceled jobs are kept as long as failed ones (see cancel() in registry.ts). */
function canceledTtl(ctx: ScriptEnv): number | undefined {
  const failed = ctx.retention?.failed;
  return typeof failed === "number" ? failed * 1000 : undefined;
}

/**
 * Run a job script on `tag` (the installation's by default; a queue's keys.jobTag otherwise)
 * with the shared KEYS/ARGV prefix: [forward(tag), events(tag)] and [header, now]. KEYS[1]
 * is the tag's forward records (forward_lib.lua), which also route the call to the tag's slot.
 */
export function runJobScript<T>(ctx: ScriptEnv, name: string, args: Array<string | number>, extraKeys: string[] = [], tag: string = ctx.keys.root): Promise<T> {
  const base = jobScriptKeys(ctx.keys, tag);
  const keys = extraKeys.length === 0 ? base : [...base, ...extraKeys];
  return runScript<T>(ctx.redis, name, keys, [scriptHeader(ctx.keys, canceledTtl(ctx), tag), ctx.clock(), ...args]);
}

const baseKeys = new WeakMap<Keys, Map<string, string[]>>();

/** KEYS[1..2] of every job script on `tag`, built once per key set and tag (a worker calls one per job). */
function jobScriptKeys(keys: Keys, tag: string): string[] {
  let byTag = baseKeys.get(keys);
  if (!byTag) baseKeys.set(keys, (byTag = new Map()));
  let k = byTag.get(tag);
  if (!k) byTag.set(tag, (k = [keys.forward(tag), keys.events(tag)]));
  return k;
}

/**
 * A job script that writes new jobs (enqueue.lua, complete.lua's follow-ups), with the queues of
 * those jobs listed in the queues set by the caller, not by the script: the set is an
 * installation-wide key (`{prefix}`) and the jobs' keys are to move to their queue's tag (docs/
 * architecture.md "Redis topologies"), where no script may touch both. The SADD is sent on the
 * same connection just before the script without waiting for its answer, so Redis runs it first
 * and the pair costs one round trip; it is idempotent, and a listed queue whose script then
 * refused or failed only lists a queue without jobs, which every reader already meets.
 */
export async function runWritingJobScript<T>(
  ctx: ScriptEnv,
  name: string,
  queues: Iterable<string>,
  args: Array<string | number>,
  extraKeys: string[] = [],
  tag: string = ctx.keys.root,
): Promise<T> {
  const names = [...new Set(queues)];
  // Off the installation's tag the set may be on another master: the SADD is answered first, so
  // a job is never written to a queue the readers cannot list yet (once a minute per queue and
  // process: listed-queues.ts).
  if (tag !== ctx.keys.root) {
    const now = ctx.clock();
    const unlisted = toList(ctx.keys, names, now);
    if (unlisted.length > 0) {
      await ctx.redis.sadd(ctx.keys.queues(), ...unlisted);
      markListed(ctx.keys, unlisted, now);
    }
    return runJobScript<T>(ctx, name, args, extraKeys, tag);
  }
  // The pair in one socket write: both are sent synchronously (runScript sends before its first await).
  const [listed, ran] = inOneWrite(ctx.redis, () => [names.length > 0 ? ctx.redis.sadd(ctx.keys.queues(), ...names) : undefined, runJobScript<T>(ctx, name, args, extraKeys, tag)] as const);
  // both settle before either error is thrown: no rejection is left unobserved
  const [l, r] = await Promise.allSettled([listed, ran]);
  if (l.status === "rejected") throw l.reason;
  if (r.status === "rejected") throw r.reason;
  return r.value;
}
