/**
 * What each Lua script answers, decoded in one place per script: callers get a typed outcome,
 * not the raw Redis reply (arrays of numbers, magic strings, JSON text). The shapes follow the
 * `Returns:` line of each script's header (src/redis/lua/<name>.lua). Lua encodes an empty
 * table as `{}` in JSON and as an empty array in a reply: `list()` reads both as [].
 * A reply that does not fit its script's shape throws, naming the script (a script and its
 * decoder changed apart).
 */

/** layout_move.lua's answer. */
export type LayoutMoveAnswer =
  | { moved: true }
  | { layout: string }
  | { busy: Record<string, Record<string, number>>; workers: number; leader: boolean };

/** A job hash as a flat HGETALL array (field, value, ...), decoded by the queue's job model. */
export type FlatHash = string[];

function wrong(script: string, raw: unknown): Error {
  return new Error(`script ${script} answered ${JSON.stringify(raw)?.slice(0, 200)}, which is not what its header says it returns`);
}

const list = <T = string>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);

function json(script: string, raw: unknown): Record<string, unknown> {
  if (typeof raw !== "string") throw wrong(script, raw);
  const v = JSON.parse(raw) as unknown;
  if (typeof v !== "object" || v === null) throw wrong(script, raw);
  return v as Record<string, unknown>;
}

function oneOf<T extends string>(script: string, raw: unknown, values: readonly T[]): T {
  if (typeof raw === "string" && (values as readonly string[]).includes(raw)) return raw as T;
  throw wrong(script, raw);
}

function count(script: string, raw: unknown): number {
  if (typeof raw !== "number") throw wrong(script, raw);
  return raw;
}

const flag = (script: string, raw: unknown): boolean => count(script, raw) === 1;

function flatHash(script: string, raw: unknown): FlatHash | null {
  if (raw === null || raw === undefined) return null;
  if (!Array.isArray(raw)) throw wrong(script, raw);
  return raw as FlatHash;
}

/** forwarded: the enqueue records written for follow-ups of another tag (fields of the tag's forward hash). */
export type Completion = { outcome: "finished"; pushed: string[]; rejected: string[]; forwarded: string[] } | { outcome: "lease-lost" };
export type FailOutcome =
  | { outcome: "retry-scheduled" | "lease-lost" }
  /** job: the failed job's hash; attempts: attempt record JSON, oldest first; canceled: dependents canceled. */
  | { outcome: "failed"; job: FlatHash; attempts: string[]; canceled: string[]; schedulePaused?: string; outcomeRecord?: [field: string, body: string] };
/** A job script's answer about one job: done, or why not ("missing", or the job's status). */
export type JobAnswer<Done extends string> = { done: true; answer: Done } | { done: false; answer: "missing" | string };
export type LedgerWrite = "pushed" | "merged" | "dropped";
export type SkipWrite = "recorded" | "already-handled" | "fenced";

/** complete.lua's usual answers, compared as they are (no JSON.parse per job). */
const FINISHED_NONE = '{"outcome":"finished","pushed":[],"rejected":[]}';
const LEASE_LOST = '{"outcome":"lease-lost"}';

function completion(raw: unknown): Completion {
  if (raw === FINISHED_NONE) return { outcome: "finished", pushed: [], rejected: [], forwarded: [] };
  if (raw === LEASE_LOST) return { outcome: "lease-lost" };
  const v = json("complete", raw);
  if (v.outcome === "lease-lost") return { outcome: "lease-lost" };
  if (v.outcome !== "finished") throw wrong("complete", raw);
  return { outcome: "finished", pushed: list(v.pushed), rejected: list(v.rejected), forwarded: list(v.forwarded) };
}

function jobAnswer<Done extends string>(script: string, raw: unknown, done: readonly Done[]): JobAnswer<Done> {
  if (typeof raw !== "string") throw wrong(script, raw);
  return (done as readonly string[]).includes(raw) ? { done: true, answer: raw as Done } : { done: false, answer: raw };
}

/** One decoder per script, named as the script. */
export const scriptResult = {
  dequeue: (raw: unknown): FlatHash | null => flatHash("dequeue", raw),
  dequeue_woken: (raw: unknown): FlatHash | null => flatHash("dequeue_woken", raw),
  heartbeat(raw: unknown): { extended: number; cancelRequested: string[]; leaseLost: string[] } {
    if (!Array.isArray(raw)) throw wrong("heartbeat", raw);
    return { extended: count("heartbeat", raw[0]), cancelRequested: list(raw[1]), leaseLost: list(raw[2]) };
  },
  cancel_started: (raw: unknown) => oneOf("cancel_started", raw, ["canceled", "lease-lost"] as const),
  /** complete.lua called without a take. */
  complete: completion,
  /** complete.lua called with a take: the completion, then the job taken (null: none). */
  completeAndTake(raw: unknown): { completion: Completion; next: FlatHash | null } {
    if (!Array.isArray(raw)) throw wrong("complete", raw);
    return { completion: completion(raw[0]), next: flatHash("complete", raw[1]) };
  },
  complete_many(raw: unknown): { outcomes: Array<"finished" | "lease-lost">; taken: FlatHash[] } {
    if (!Array.isArray(raw)) throw wrong("complete_many", raw);
    const [codes, ...taken] = raw as [unknown, ...unknown[]];
    return { outcomes: list<number>(codes).map((c) => (c === 1 ? "finished" : "lease-lost")), taken: taken.map((h) => flatHash("complete_many", h) ?? []) };
  },
  fail(raw: unknown): FailOutcome {
    const v = json("fail", raw);
    if (v.outcome === "retry-scheduled" || v.outcome === "lease-lost") return { outcome: v.outcome };
    if (v.outcome !== "failed") throw wrong("fail", raw);
    return {
      outcome: "failed",
      job: list(v.job),
      attempts: list(v.attempts),
      canceled: list(v.canceled),
      ...(typeof v.schedulePaused === "string" ? { schedulePaused: v.schedulePaused } : {}),
      ...(Array.isArray(v.outcomeRecord) ? { outcomeRecord: list<string>(v.outcomeRecord) as [string, string] } : {}),
    };
  },
  requeue_job: (raw: unknown): boolean => flag("requeue_job", raw),
  reap(raw: unknown): { requeued: string[]; failed: string[]; abandoned: Array<{ queue: string; method: string }> } {
    const v = json("reap", raw);
    return { requeued: list(v.requeued), failed: list(v.failed), abandoned: list<[string, string]>(v.abandoned).map(([queue, method]) => ({ queue, method })) };
  },
  promote: (raw: unknown): number => count("promote", raw),
  clean: (raw: unknown): number => count("clean", raw),
  empty_queue: (raw: unknown): number => count("empty_queue", raw),
  cancel: (raw: unknown) => jobAnswer("cancel", raw, ["ok", "requested"] as const),
  requeue: (raw: unknown) => jobAnswer("requeue", raw, ["ok"] as const),
  delete_job: (raw: unknown) => jobAnswer("delete_job", raw, ["ok"] as const),
  replaced_job_drop: (raw: unknown) => oneOf("replaced_job_drop", raw, ["dropped", "live", "missing"] as const),
  /** The marker's value as stored (key-layout.ts refuses one naming no layout), or "existing". */
  layout_claim(raw: unknown): string {
    if (typeof raw !== "string") throw wrong("layout_claim", raw);
    return raw;
  },
  /** Moved, the marker's other layout, or what holds the installation (nothing written). */
  layout_move(raw: unknown): LayoutMoveAnswer {
    const v = json("layout_move", raw);
    if (v.moved === true) return { moved: true };
    if (typeof v.layout === "string") return { layout: v.layout };
    if (typeof v.workers === "number" && typeof v.leader === "boolean" && typeof v.busy === "object" && v.busy !== null) {
      return { busy: Array.isArray(v.busy) ? {} : (v.busy as Record<string, Record<string, number>>), workers: v.workers, leader: v.leader };
    }
    throw wrong("layout_move", raw);
  },
  /** "linked", or how the dependency settled (forward-records.ts passes it on as is). */
  dependency_link: (raw: unknown) => oneOf("dependency_link", raw, ["linked", "finished", "failed", "canceled", "was deleted"] as const),
  dependency_settle: (raw: unknown): boolean => flag("dependency_settle", raw),
  forward_drop: (raw: unknown): boolean => flag("forward_drop", raw),
  child_link: (raw: unknown): boolean => flag("child_link", raw),
  follow_up_enqueue: (raw: unknown) => oneOf("follow_up_enqueue", raw, ["queued", "scheduled", "deferred", "rejected", "deduplicated", "applied-before"] as const),
  /** Applied now (false: applied before), and the pause note when this outcome paused its schedule. */
  schedule_outcome_apply(raw: unknown): { applied: boolean; paused?: string } {
    if (!Array.isArray(raw) || raw.length !== 2 || typeof raw[1] !== "string") throw wrong("schedule_outcome_apply", raw);
    return { applied: raw[0] === 1, ...(raw[1] !== "" ? { paused: raw[1] } : {}) };
  },
  purge(raw: unknown): { deleted: number; scanned: number } {
    if (!Array.isArray(raw)) throw wrong("purge", raw);
    return { deleted: count("purge", raw[0]), scanned: count("purge", raw[1]) };
  },
  /** The JSON answer; its shape is the queue's (src/queue/push.ts ScriptResult). */
  enqueue: (raw: unknown): Record<string, unknown> => json("enqueue", raw),
  status: (raw: unknown): boolean => flag("status", raw),
  progress: (raw: unknown): boolean => flag("progress", raw),
  ratelimit_acquire(raw: unknown): { granted: true } | { granted: false; retryInMs: number } {
    if (!Array.isArray(raw)) throw wrong("ratelimit_acquire", raw);
    return raw[0] === 1 ? { granted: true } : { granted: false, retryInMs: count("ratelimit_acquire", raw[1]) };
  },
  ratelimit_release: (raw: unknown): boolean => flag("ratelimit_release", raw),
  schedule_deadline: (raw: unknown): boolean => flag("schedule_deadline", raw),
  /** The new fence number, or null when the evidence did not hold. */
  scheduler_lease_takeover: (raw: unknown): number | null => {
    const n = count("scheduler_lease_takeover", raw);
    return n > 0 ? n : null;
  },
  /** false: the tag holds a newer lease number than ours (our lease is stale). */
  scheduler_fence_raise: (raw: unknown): boolean => flag("scheduler_fence_raise", raw),
  scheduler_ledger: (raw: unknown): LedgerWrite => (["dropped", "pushed", "merged"] as const)[count("scheduler_ledger", raw)] ?? bad("scheduler_ledger", raw),
  scheduler_skip: (raw: unknown): SkipWrite => skipWrite("scheduler_skip", raw),
  /** The per-queue layout's skip on the queue's tag: the same outcomes, the slot record only. */
  scheduler_skip_tag: (raw: unknown): SkipWrite => skipWrite("scheduler_skip_tag", raw),
  scheduler_skip_entry: (raw: unknown): LedgerWrite => (["dropped", "pushed", "merged"] as const)[count("scheduler_skip_entry", raw)] ?? bad("scheduler_skip_entry", raw),
};

/**
 * A scheduler tick pipes scheduler_skip and scheduler_ledger calls (and an HSET) together: true
 * when one of those replies is scheduler_skip's "fenced" (-1; every other reply there is >= 0).
 */
export const anySkipFenced = (replies: unknown[]): boolean => replies.some((r) => r === -1);

function skipWrite(script: string, raw: unknown): SkipWrite {
  const n = count(script, raw);
  if (n === 1) return "recorded";
  if (n === 0) return "already-handled";
  if (n === -1) return "fenced";
  return bad(script, raw);
}

function bad(script: string, raw: unknown): never {
  throw wrong(script, raw);
}
