/**
 * Dependencies on another tag (issue 17: each queue's job keys on a tag of their own).
 * enqueue.lua checks and links the dependencies on its own tag; one on another tag it cannot
 * read, so the caller reads those first (status and queue, probed on every known queue's tag),
 * refuses an unknown or already failed one as the script would (nothing written), and tells the
 * script which to wait on (`elsewhere`: a queue name for one still live, which the script
 * links through a forward record, or false for one settled and not waited on).
 *
 * On the installation layout every queue is on one tag: nothing is read, nothing changes.
 */
import type { QueueEnv } from "./context.js";
import type { PreparedJob } from "./types.js";
import { readJobFields } from "./find-job.js";
import { refusalError } from "./enqueue-refusals.js";

const LIVE = new Set(["queued", "scheduled", "deferred", "started"]);

/** What enqueue_lib.lua reads of a spec's dependencies elsewhere (see its header). */
export type Elsewhere = Record<string, string | false>;

/** A prepared job as enqueue.lua gets it: its dependencies on other tags placed. */
export type PlacedJob = PreparedJob & { elsewhere?: Elsewhere };

/**
 * `prepared` with each dependency on another tag placed. A dependency written in the same call
 * on another tag counts as live (its own tag's call writes it: push.ts sends that one first).
 * Throws UNKNOWN_DEPENDENCY / DEPENDENCY_FAILED before anything is written.
 */
export async function placeDependencies(env: Pick<QueueEnv, "redis" | "keys" | "queues">, prepared: readonly PreparedJob[]): Promise<PlacedJob[]> {
  return (await placeEach(env, prepared)).map((p) => {
    if ("refusal" in p) throw refusalError(p.refusal);
    return p;
  });
}

/** A follow-up (complete.lua) whose dependency elsewhere refuses it: rejected there, with its event, as one on the tag. */
export type RefusedFollowUp = PreparedJob & { refused: { verdict: "unknown-dep" | "failed-dep"; dep: string } };

/**
 * A completing job's follow-ups placed as placeDependencies does, one by one: a refused one is
 * not thrown but marked (`refused`), for complete.lua to reject with its warn event.
 */
export async function placeFollowUps(env: Pick<QueueEnv, "redis" | "keys" | "queues">, prepared: readonly PreparedJob[]): Promise<Array<PlacedJob | RefusedFollowUp>> {
  return (await placeEach(env, prepared)).map((p) => ("refusal" in p ? { ...p.job, refused: { verdict: p.refusal.error, dep: p.refusal.dep } } : p));
}

type Refusal = { ok: false; error: "unknown-dep" | "failed-dep"; id: string; dep: string; status?: string };

async function placeEach(env: Pick<QueueEnv, "redis" | "keys" | "queues">, prepared: readonly PreparedJob[]): Promise<Array<PlacedJob | { job: PreparedJob; refusal: Refusal }>> {
  if (env.keys.jobTags === "installation" || !prepared.some((p) => p.dependsOn?.length)) return [...prepared];
  const inCall = new Map(prepared.map((p) => [p.id, p.queue]));
  const toRead = new Set<string>();
  for (const p of prepared) for (const d of p.dependsOn ?? []) if (!inCall.has(d)) toRead.add(d);
  const ids = [...toRead];
  const rows = await readJobFields(env, ids, ["status", "queue"]);
  const stored = new Map(ids.map((id, i) => [id, rows[i]]));

  return prepared.map((p) => {
    if (!p.dependsOn?.length) return p;
    const tag = env.keys.jobTag(p.queue);
    const elsewhere: Elsewhere = {};
    for (const d of p.dependsOn) {
      const sameCall = inCall.get(d);
      if (sameCall !== undefined) {
        if (env.keys.jobTag(sameCall) !== tag) elsewhere[d] = sameCall;
        continue;
      }
      const row = stored.get(d);
      if (!row) return { job: p, refusal: { ok: false, error: "unknown-dep", id: p.id, dep: d } };
      const [status, queue] = row;
      if (!queue || env.keys.jobTag(queue) === tag) continue; // on the spec's own tag: the script checks it
      if (LIVE.has(status ?? "")) elsewhere[d] = queue;
      else if (status === "finished" || p.allowFailure) elsewhere[d] = false;
      else return { job: p, refusal: { ok: false, error: "failed-dep", id: p.id, dep: d, ...(status ? { status } : {}) } };
    }
    return Object.keys(elsewhere).length > 0 ? { ...p, elsewhere } : p;
  });
}

/** The link and child records enqueue.lua writes for `placed` on its tag (fields of keys.forward(tag)), by tag. */
export function linkFieldsByTag(env: Pick<QueueEnv, "keys">, placed: readonly PlacedJob[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (p: PlacedJob, field: string) => {
    const tag = env.keys.jobTag(p.queue);
    const list = out.get(tag) ?? [];
    list.push(field);
    out.set(tag, list);
  };
  for (const p of placed) {
    for (const [dep, queue] of Object.entries(p.elsewhere ?? {})) if (queue !== false) add(p, `link\t${p.id}\t${dep}`);
    if (p.parentQueue !== undefined && p.fields.parentId) add(p, `child\t${p.fields.parentId}\t${p.id}`);
  }
  return out;
}

/**
 * The tag groups of `placed` in an order where a group comes after the groups it depends on
 * within the call (a dependency written in the same call must exist before its link is
 * applied); groups in a cycle keep their order.
 */
export function dependencyOrder<G extends { tag: string; items: Array<{ p: PlacedJob }> }>(env: Pick<QueueEnv, "keys">, groups: G[]): G[] {
  const after = new Map<string, Set<string>>();
  for (const g of groups) {
    const needs = new Set<string>();
    for (const { p } of g.items) for (const [, q] of Object.entries(p.elsewhere ?? {})) if (q !== false) needs.add(env.keys.jobTag(q));
    needs.delete(g.tag);
    after.set(g.tag, needs);
  }
  const inCallTags = new Set(groups.map((g) => g.tag));
  const done = new Set<string>();
  const out: G[] = [];
  let left = [...groups];
  while (left.length > 0) {
    const ready = left.filter((g) => [...after.get(g.tag)!].every((t) => done.has(t) || !inCallTags.has(t)));
    const next = ready.length > 0 ? ready : left; // a cycle: the rest as they are
    for (const g of next) {
      out.push(g);
      done.add(g.tag);
    }
    left = left.filter((g) => !next.includes(g));
  }
  return out;
}
