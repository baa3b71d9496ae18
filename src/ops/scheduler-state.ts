/**
 * The scheduler as `status` shows it: who leads, whether it is enabled or paused, when it last
 * ticked. Read-only.
 *
 * TODO: src/scheduler/switches.ts and src/scheduler/leader.ts are being written; once they export
 * readers, call those here instead of reading keys.schedulerState() / keys.schedulerLeader()
 * directly. Until then this accepts the shapes those keys can reasonably have (a hash of fields
 * or a JSON/plain string), so status degrades to "unknown" rather than failing.
 */
import type { QueueContext } from "../queue/types.js";

export interface SchedulerOverview {
  /** Leader id (e.g. "host:pid:token"), undefined when no daemon leads. */
  leader?: string;
  /** Milliseconds left on the leader's lease, when it has one. */
  leaderTtlMs?: number;
  /** undefined: never switched (the default is enabled). */
  enabled?: boolean;
  paused?: boolean;
  /** ms of the last tick, when the tick loop records it. */
  lastTick?: number;
  /** Every field of the state record, for --json and for fields this reader does not know yet. */
  state: Record<string, string>;
}

function asRecord(text: string | null): Record<string, string> {
  if (text === null) return {};
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === "string" ? x : JSON.stringify(x)]));
    }
  } catch {
    /* a plain string: the state name itself */
  }
  return { state: text };
}

async function readRecord(ctx: Pick<QueueContext, "redis">, key: string): Promise<Record<string, string>> {
  const type = await ctx.redis.type(key);
  if (type === "hash") return ctx.redis.hgetall(key);
  if (type === "string") return asRecord(await ctx.redis.get(key));
  return {};
}

const flag = (v: string | undefined): boolean | undefined =>
  v === undefined ? undefined : ["1", "true", "yes", "on"].includes(v.toLowerCase());

function timeField(rec: Record<string, string>, ...names: string[]): number | undefined {
  for (const n of names) {
    const v = Number(rec[n]);
    if (rec[n] !== undefined && Number.isFinite(v) && v > 0) return v;
  }
  return undefined;
}

export async function readSchedulerState(ctx: Pick<QueueContext, "redis" | "keys">): Promise<SchedulerOverview> {
  const k = ctx.keys;
  const [state, leaderRec, ttl] = await Promise.all([
    readRecord(ctx, k.schedulerState()),
    readRecord(ctx, k.schedulerLeader()),
    ctx.redis.pttl(k.schedulerLeader()),
  ]);
  const leader = leaderRec.id ?? leaderRec.owner ?? leaderRec.leader ?? leaderRec.name ?? leaderRec.state;
  const named = state.state?.toLowerCase();
  return {
    leader,
    leaderTtlMs: leader !== undefined && ttl > 0 ? ttl : undefined,
    enabled: flag(state.enabled) ?? (named === "disabled" ? false : named === "enabled" || named === "paused" ? true : undefined),
    paused: flag(state.paused) ?? (named === "paused" ? true : named ? false : undefined),
    lastTick: timeField(state, "lastTick", "lastTickAt", "tickedAt") ?? timeField(leaderRec, "lastTick", "lastTickAt", "tickedAt"),
    state,
  };
}
