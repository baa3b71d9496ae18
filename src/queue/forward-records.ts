/**
 * Applying forward records (src/redis/lua/forward_lib.lua): the steps a script on one tag asks
 * of another tag, since a script keeps to the keys of one tag (issue 17: each queue's job keys
 * on a tag of their own). A record stays on its writer's tag until its effect is written on the
 * other one, then it is dropped; every apply is idempotent, so two appliers at once, or an
 * apply repeated after a crash before the drop, count once.
 *
 * Who applies: the writer of a link at once (enqueue, src/queue/push.ts); the worker
 * supervisor on the notification a script publishes on the tag's forward key, and in its sweep
 * of every tag (forward-sweep.ts, src/worker/supervisor/forwarder.ts), which also picks up what
 * a crashed applier left; and a caller of a script by id (cancel, delete: find-job.ts) or on a
 * queue (purge, empty) after its call, so what it settled elsewhere is settled when it returns. On the installation layout every queue is on one tag and no record is written.
 */
import type { QueueEnv } from "./context.js";
import { runJobScript } from "./job-scripts.js";
import { scriptResult } from "../redis/script-results.js";

type ForwardEnv = Pick<QueueEnv, "redis" | "keys" | "clock"> & Partial<Pick<QueueEnv, "retention">>;

/** Job `job` (queue `queue`) waits on `dep` of queue `depQueue`, on another tag. */
export interface LinkRecord {
  kind: "link";
  job: string;
  queue: string;
  dep: string;
  depQueue: string;
}

/** Job `dep` settled with `status`; its dependent `job` of queue `queue` is to count it. */
export interface SettleRecord {
  kind: "settle";
  dep: string;
  status: string;
  job: string;
  queue: string;
}

/** Job `job` (queue `queue`) was enqueued from inside `parent` of queue `parentQueue`, on another tag. */
export interface ChildRecord {
  kind: "child";
  parent: string;
  parentQueue: string;
  job: string;
  queue: string;
}

/** A scheduled job's final outcome (schedule_outcome_lib.lua), for its schedule's state on the installation's tag. */
export interface OutcomeRecord {
  kind: "outcome";
  task: string;
  outcome: { status: string; jobId: string; slot: number; finishedAt: number };
}

/** A follow-up of job `parent` (complete.lua) to enqueue on its queue's tag; `at`: the writer's now. */
export interface EnqueueRecord {
  kind: "enqueue";
  parent: string;
  spec: { id: string; queue: string; elsewhere?: Record<string, string | false> };
  at: number;
}

export type ForwardRecord = LinkRecord | SettleRecord | ChildRecord | OutcomeRecord | EnqueueRecord;

/** The field a link record is written under (forward_lib.lua). */
export const linkField = (job: string, dep: string): string => `link\t${job}\t${dep}`;

/** Most records applied per tag in one pass (a sweep takes the rest next time). */
const PASS_LIMIT = 500;

/**
 * Apply one record found on `tag` under `field` with body `body` (the stored JSON, compared
 * again before the drop). A link: the dependency's tag lists the dependent (or answers how the
 * dependency settled), then the dependent's tag counts that answer and drops the link. A
 * settle: the dependent's tag counts it, then the record is dropped here. A child: the parent's
 * tag lists it, then the record is dropped here.
 */
export async function applyRecord(env: ForwardEnv, tag: string, field: string, body: string): Promise<void> {
  const r = JSON.parse(body) as ForwardRecord;
  if (r.kind === "link") {
    const answer = scriptResult.dependency_link(await runJobScript(env, "dependency_link", [r.dep, `${r.queue}\t${r.job}`], [], env.keys.jobTag(r.depQueue)));
    scriptResult.dependency_settle(await runJobScript(env, "dependency_settle", [r.job, r.dep, answer, field, body], [], tag));
    return;
  }
  if (r.kind === "settle") {
    scriptResult.dependency_settle(await runJobScript(env, "dependency_settle", [r.job, r.dep, r.status, "", ""], [], env.keys.jobTag(r.queue)));
    scriptResult.forward_drop(await runJobScript(env, "forward_drop", [field, body], [], tag));
    return;
  }
  if (r.kind === "child") {
    scriptResult.child_link(await runJobScript(env, "child_link", [r.parent, r.job], [], env.keys.jobTag(r.parentQueue)));
    scriptResult.forward_drop(await runJobScript(env, "forward_drop", [field, body], [], tag));
    return;
  }
  if (r.kind === "enqueue") {
    // once on the follow-up's tag (a mark per record: follow_up_enqueue.lua), then its links to
    // dependencies on other tags applied at once as an enqueue's are (push.ts), then dropped here
    const on = env.keys.jobTag(r.spec.queue);
    const status = scriptResult.follow_up_enqueue(await runJobScript(env, "follow_up_enqueue", [`${tag}\t${field}\t${r.at}`, r.parent, JSON.stringify(r.spec)], [], on));
    const links = Object.entries(r.spec.elsewhere ?? {}).flatMap(([dep, q]) => (q === false ? [] : [linkField(r.spec.id, dep)]));
    if (status === "deferred" && links.length > 0) await applyForwardRecords(env, on, links).catch(() => 0);
    scriptResult.forward_drop(await runJobScript(env, "forward_drop", [field, body], [], tag));
    return;
  }
  if (r.kind === "outcome") {
    await applyOutcome(env, tag, field, body);
    return;
  }
  // a kind this version does not know (written by a newer one): left for that version to apply
}

/**
 * An outcome record: the schedule's state on the installation's tag takes it once
 * (schedule_outcome_apply.lua: an applied mark per record), then it is dropped here. Answers the
 * pause note when this outcome paused the schedule (pauseOnFailure).
 */
export async function applyOutcome(env: ForwardEnv, tag: string, field: string, body: string): Promise<string | undefined> {
  const { paused } = scriptResult.schedule_outcome_apply(await runJobScript(env, "schedule_outcome_apply", [body], [], env.keys.root));
  scriptResult.forward_drop(await runJobScript(env, "forward_drop", [field, body], [], tag));
  return paused;
}

/** Apply the records `fields` of `tag` (all of them, up to a pass, when not given); answers how many were found. */
export async function applyForwardRecords(env: ForwardEnv, tag: string, fields?: readonly string[]): Promise<number> {
  const found: Array<[string, string]> = [];
  if (fields) {
    if (fields.length === 0) return 0;
    const bodies = await env.redis.hmget(env.keys.forward(tag), ...fields);
    fields.forEach((f, i) => bodies[i] != null && found.push([f, bodies[i]!]));
  } else {
    const [, flat] = await env.redis.hscan(env.keys.forward(tag), "0", "COUNT", PASS_LIMIT);
    for (let i = 0; i + 1 < flat.length; i += 2) found.push([flat[i]!, flat[i + 1]!]);
  }
  // records of one pass are independent of each other (each names its own pair)
  await Promise.all(found.map(([f, b]) => applyRecord(env, tag, f, b)));
  return found.length;
}

/**
 * Apply what `tag` has pending (one HLEN first), after a script of this process may have written
 * records there. Nothing on the installation layout. A failure is left to the sweep.
 */
export async function applyPendingForward(env: ForwardEnv, tag: string): Promise<void> {
  if (env.keys.jobTags === "installation") return;
  try {
    if ((await env.redis.hlen(env.keys.forward(tag))) > 0) await applyForwardRecords(env, tag);
  } catch {
    // the records stay: the workers' sweep applies them
  }
}
