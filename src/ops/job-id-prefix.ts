/**
 * A job named by the start of its id, as git and docker accept (`jobs show 73745c5b`): the full
 * id when exactly one job's id starts so, else a clear error (none, or several: a few listed).
 * A whole id that exists is taken as it is, whatever else starts with it.
 */
import { SchedulerError } from "../base/errors.js";
import type { QueueEnv } from "../queue/context.js";
import { scanMasters } from "./masters.js";
import { jobTagsToProbe, readJobFields } from "../queue/find-job.js";
import { jobField } from "../queue/job-fields.js";

/** Shorter prefixes would match half the installation. */
export const MIN_PREFIX = 4;
const LISTED = 5;

function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}

/**
 * Ids of job hashes that start with `text`, up to a few more than LISTED. Every master is
 * scanned: on a cluster a plain SCAN reads one node (masters.ts). On the installation layout one
 * pattern, `{prefix}:job:<text>*`; on the per-queue layout the job hashes are on each known
 * queue's tag, so one pattern matches every queue tag's (`{prefix:*}:job:<text>*`, one pass over
 * each master's keyspace rather than one per tag) and a key counts only when it is the job hash
 * of one of those tags.
 */
async function idsStartingWith(env: Pick<QueueEnv, "redis" | "keys" | "queues">, text: string): Promise<Set<string>> {
  const { keys } = env;
  const enough = (n: number) => n > LISTED;
  if (keys.jobTags === "installation") {
    const base = keys.job("");
    return new Set((await scanMasters(env.redis, `${globEscape(base)}${globEscape(text)}*`, enough)).map((key) => key.slice(base.length)));
  }
  const bases = new Set((await jobTagsToProbe(env)).map((tag) => keys.job("", tag)));
  if (bases.size === 0) return new Set();
  const baseOf = (key: string) => key.slice(0, key.indexOf("}") + 1) + ":job:";
  const pattern = `${globEscape(`{${keys.prefix}:`)}*${globEscape(`}:job:${text}`)}*`;
  const matches = await scanMasters(env.redis, pattern, enough, (key) => bases.has(baseOf(key)) && key.startsWith(baseOf(key) + text));
  return new Set(matches.map((key) => key.slice(baseOf(key).length)));
}

/** The full id `text` names, or undefined when no job's id is or starts with it. */
export async function resolveJobId(env: Pick<QueueEnv, "redis" | "keys" | "queues">, text: string): Promise<string | undefined> {
  // a whole id, in whichever queue it is (find-job.ts)
  if ((await readJobFields(env, [text], [jobField.status]))[0]) return text;
  if (text.length < MIN_PREFIX) return undefined;
  const found = await idsStartingWith(env, text);
  if (found.size === 0) return undefined;
  if (found.size === 1) return [...found][0]!;
  const some = [...found].sort().slice(0, LISTED);
  throw new SchedulerError("AMBIGUOUS_ID", `job id prefix "${text}" matches ${found.size > LISTED ? `more than ${LISTED}` : found.size} jobs: ${some.join(", ")}`, {
    hint: "give more characters of the id",
  });
}
