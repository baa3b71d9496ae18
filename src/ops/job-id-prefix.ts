/**
 * A job named by the start of its id, as git and docker accept (`jobs show 73745c5b`): the full
 * id when exactly one job's id starts so, else a clear error (none, or several: a few listed).
 * A whole id that exists is taken as it is, whatever else starts with it.
 */
import { SchedulerError } from "../base/errors.js";
import type { QueueEnv } from "../queue/context.js";
import { scanMasters } from "./masters.js";
import { readJobFields } from "../queue/find-job.js";
import { jobField } from "../queue/job-fields.js";

/** Shorter prefixes would match half the installation. */
export const MIN_PREFIX = 4;
const LISTED = 5;

function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}

/** The full id `text` names, or undefined when no job's id is or starts with it. */
export async function resolveJobId(env: Pick<QueueEnv, "redis" | "keys" | "queues">, text: string): Promise<string | undefined> {
  // a whole id, in whichever queue it is (find-job.ts)
  if ((await readJobFields(env, [text], [jobField.status]))[0]) return text;
  if (text.length < MIN_PREFIX) return undefined;
  const base = env.keys.job("");
  // Every master: on a cluster a plain SCAN reads one node (masters.ts).
  const found = new Set((await scanMasters(env.redis, `${globEscape(base)}${globEscape(text)}*`, (n) => n > LISTED)).map((key) => key.slice(base.length)));
  if (found.size === 0) return undefined;
  if (found.size === 1) return [...found][0]!;
  const some = [...found].sort().slice(0, LISTED);
  throw new SchedulerError("AMBIGUOUS_ID", `job id prefix "${text}" matches ${found.size > LISTED ? `more than ${LISTED}` : found.size} jobs: ${some.join(", ")}`, {
    hint: "give more characters of the id",
  });
}
