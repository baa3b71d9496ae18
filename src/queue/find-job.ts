/**
 * A job found by its id alone (getJob, `jobs show`, the console's job page, the links between
 * jobs): the id does not say which queue it is in, and issue 17 puts a queue's job keys on that
 * queue's tag (keys.jobTag), so every known queue's tag is probed at once: one pipeline per tag,
 * all sent together (on a cluster each goes to its tag's master; while every queue's job keys
 * are on the installation tag the tags are one, and so is the pipeline).
 */
import type { ChainableCommander } from "ioredis";
import { settledEnv, type QueueEnv } from "./context.js";
import { isJobHash } from "./job-codec.js";
import { runJobScript } from "./job-scripts.js";
import { groupByTag, type TagGroup } from "../redis/tag-pipeline.js";
import { applyPendingForward } from "./forward-records.js";
import { partitionNames } from "../config/partition-names.js";

type ProbeEnv = Pick<QueueEnv, "redis" | "keys" | "queues" | "pendingLayout">;

/** Every queue that is configured or ever held a job (the queues set), sorted. */
export async function knownQueueNames(env: ProbeEnv): Promise<string[]> {
  await settledEnv(env); // every lookup by id and every count starts here
  const seen = await env.redis.smembers(env.keys.queues());
  const configured = Object.keys(env.queues).flatMap((q) => partitionNames(env.queues, q));
  return [...new Set([...configured, ...seen])].sort();
}

/** The distinct tags the job keys of the known queues are on. */
export async function jobTagsToProbe(env: ProbeEnv): Promise<string[]> {
  return queuesByJobTag(env.keys, await knownQueueNames(env)).map((g) => g.tag);
}

/**
 * The listed queues (the queues set), and the configured ones when the caller has them, grouped
 * by the tag their job keys are on, for the scripts that sweep every queue (promote, clean, the
 * forward records' sweep): one call per group, since a script keeps to one tag. The configured
 * ones are added because the set can miss a name for a while (a set lost in a failover before it
 * replicated: a process lists a queue again only once a minute, src/queue/listed-queues.ts).
 */
export async function listedQueuesByJobTag(env: Pick<QueueEnv, "redis" | "keys"> & Partial<Pick<QueueEnv, "queues">>): Promise<Array<TagGroup<string>>> {
  const listed = await env.redis.smembers(env.keys.queues());
  return queuesByJobTag(env.keys, env.queues ? [...new Set([...listed, ...Object.keys(env.queues)])] : listed);
}

/** `queues` (sorted) grouped by the tag their job keys are on; a name that cannot be a tag is left out. */
export function queuesByJobTag(keys: QueueEnv["keys"], queues: readonly string[]): Array<TagGroup<string>> {
  // a listed name that cannot be a tag never had keys of its own
  const tagged = [...queues].sort().flatMap((q) => {
    try {
      return [{ q, tag: keys.jobTag(q) }];
    } catch {
      return [];
    }
  });
  return groupByTag(tagged, (t) => t.tag).map(({ tag, items }) => ({ tag, items: items.map((t) => t.q) }));
}

export interface LocatedJob {
  /** The tag its keys are on. */
  tag: string;
  hash: Record<string, string>;
  /** The replies of the caller's extra reads on that tag, in the order they were queued. */
  more: unknown[];
}

/**
 * The job with this id, probed on every known queue's tag; `reads` queues more reads of the
 * same tag in the same pipeline (children, attempts). Null when no tag holds a job hash. Should
 * two queues hold the id (an id is unique per queue), the one enqueued last is taken.
 */
export async function locateJob(env: ProbeEnv, id: string, reads?: (pipe: ChainableCommander, tag: string) => void): Promise<LocatedJob | null> {
  const tags = await jobTagsToProbe(env);
  const answers = await Promise.all(
    tags.map(async (tag) => {
      const pipe = env.redis.pipeline().hgetall(env.keys.job(id, tag));
      reads?.(pipe, tag);
      const replies = (await pipe.exec()) ?? [];
      const failed = replies.find(([err]) => err);
      if (failed?.[0]) throw failed[0];
      return { tag, hash: replies[0]?.[1] as Record<string, string>, more: replies.slice(1).map(([, v]) => v) };
    }),
  );
  let found: LocatedJob | null = null;
  for (const a of answers) {
    if (!isJobHash(a.hash)) continue;
    if (!found || Number(a.hash.enqueuedAt ?? 0) > Number(found.hash.enqueuedAt ?? 0)) found = a;
  }
  return found;
}

/**
 * Some fields of many jobs by id (HMGET per id on every known tag, one pipeline per tag, sent
 * together): for each id the fields of the tag where its `present` field (the first) is set,
 * or undefined when no tag has the job.
 */
export async function readJobFields(env: ProbeEnv, ids: readonly string[], fields: readonly string[]): Promise<Array<Array<string | null> | undefined>> {
  if (ids.length === 0) return [];
  const tags = await jobTagsToProbe(env);
  const perTag = await Promise.all(
    tags.map(async (tag) => {
      const pipe = env.redis.pipeline();
      for (const id of ids) pipe.hmget(env.keys.job(id, tag), ...fields);
      return ((await pipe.exec()) ?? []).map(([err, v]) => {
        if (err) throw err;
        return v as Array<string | null>;
      });
    }),
  );
  return ids.map((_, i) => perTag.map((rows) => rows[i]).find((row) => row !== undefined && row[0] !== null));
}

/**
 * A job script that takes a job by id alone (cancel, requeue, delete): the job is located first
 * (locateJob), since the script must run on the tag its keys are on; undefined, and no script
 * call, when no known queue's tag holds it. The script runs on the tag where it was found (the
 * installation's on the default layout); then the records it left for other tags are applied.
 */
export async function runJobScriptById<T>(env: QueueEnv, id: string, name: string, args: Array<string | number>): Promise<T | undefined> {
  const found = await locateJob(env, id);
  if (!found) return undefined;
  const answer = await runJobScript<T>(env, name, args, [], found.tag);
  // what the call settled on other tags (the dependents of a job canceled or deleted) is
  // settled when it returns, as on the installation layout
  await applyPendingForward(env, found.tag);
  return answer;
}
