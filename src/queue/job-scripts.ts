/**
 * The ARGV[1] header every job script gets (see src/redis/lua/job_lib.lua): the key root keys.ts
 * puts before "<kind>:<name>" (checked against keys.ts for every kind the scripts use), plus the
 * events cap, the attempt-history cap, the children cap, the cascade bound and the retention of
 * jobs a script cancels; space-separated, so the scripts parse it with one string.match (a JSON
 * header cost a cjson.decode per call).
 */
import { METRICS_ON } from "../telemetry/metrics-switch.js";
import type { Keys } from "../redis/keys.js";
import { EVENTS_MAXLEN } from "../log/events.js";
import { runScript } from "../redis/scripts.js";
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

const headers = new WeakMap<Keys, Map<number, string>>();

/** Retention of canceled jobs when the caller has no retention config (7 days, as failed). */
const DEFAULT_CANCELED_TTL_MS = 7 * 24 * 3600 * 1000;

/** The header for these keys; `canceledTtlMs` is the retention of jobs a script cancels. */
export function scriptHeader(keys: Keys, canceledTtlMs: number = DEFAULT_CANCELED_TTL_MS): string {
  let byTtl = headers.get(keys);
  if (!byTtl) {
    byTtl = new Map();
    headers.set(keys, byTtl);
  }
  let h = byTtl.get(canceledTtlMs);
  if (!h) {
    // the 7th field: write the per-minute metrics history (history_lib.lua) or not
    h = [keyRoot(keys), EVENTS_MAXLEN, ATTEMPTS_KEPT, CHILDREN_KEPT, CASCADE_BOUND, Math.round(canceledTtlMs), METRICS_ON ? 1 : 0].join(" ");
    byTtl.set(canceledTtlMs, h);
  }
  return h;
}

/** Kinds of keys the job scripts build themselves (job_lib's key(kind, name)). */
const SCRIPT_KINDS = ["job", "attempts", "queue", "wake", "started", "finished", "failed", "scheduled", "canceled", "deferred", "dependents", "children"] as const;

/**
 * The part of every per-job/per-queue key before "<kind>:<name>" (e.g. "{hs}:"). The scripts
 * build keys as root .. kind .. ":" .. name, so check here that keys.ts builds them the same way.
 */
function keyRoot(keys: Keys): string {
  const root = keys.job("").slice(0, -"job:".length);
  for (const kind of SCRIPT_KINDS) {
    const built = keys[kind]("");
    if (built !== `${root}${kind}:`) {
      throw new Error(`scriptHeader: keys.${kind}("") is "${built}", not "${root}${kind}:" as the job scripts (src/redis/lua/job_lib.lua key()) assume`);
    }
  }
  if (/\s/.test(root)) throw new Error(`scriptHeader: key root "${root}" contains whitespace; the script header is space-separated`);
  return root;
}

/** What a script call needs of a QueueEnv (the retention, when known, sets how long canceled jobs are kept). */
type ScriptEnv = Pick<QueueEnv, "redis" | "keys" | "clock"> & Partial<Pick<QueueEnv, "retention">>;

/** Canceled jobs are kept as long as failed ones (see cancel() in registry.ts). */
function canceledTtl(ctx: ScriptEnv): number | undefined {
  const failed = ctx.retention?.failed;
  return typeof failed === "number" ? failed * 1000 : undefined;
}

/** Run a job script with the shared KEYS/ARGV prefix: [queues, events] and [header, now]. */
export function runJobScript<T>(ctx: ScriptEnv, name: string, args: Array<string | number>, extraKeys: string[] = []): Promise<T> {
  const keys = extraKeys.length === 0 ? jobScriptKeys(ctx.keys) : [...jobScriptKeys(ctx.keys), ...extraKeys];
  return runScript<T>(ctx.redis, name, keys, [scriptHeader(ctx.keys, canceledTtl(ctx)), ctx.clock(), ...args]);
}

const baseKeys = new WeakMap<Keys, string[]>();

/** KEYS[1..2] of every job script, built once per key set (a worker calls one per job). */
function jobScriptKeys(keys: Keys): string[] {
  let k = baseKeys.get(keys);
  if (!k) baseKeys.set(keys, (k = [keys.queues(), keys.events()]));
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
export async function runWritingJobScript<T>(ctx: ScriptEnv, name: string, queues: Iterable<string>, args: Array<string | number>, extraKeys: string[] = []): Promise<T> {
  const names = [...new Set(queues)];
  const listed = names.length > 0 ? ctx.redis.sadd(ctx.keys.queues(), ...names) : undefined;
  const ran = runJobScript<T>(ctx, name, args, extraKeys);
  // both settle before either error is thrown: no rejection is left unobserved
  const [l, r] = await Promise.allSettled([listed, ran]);
  if (l.status === "rejected") throw l.reason;
  if (r.status === "rejected") throw r.reason;
  return r.value;
}
