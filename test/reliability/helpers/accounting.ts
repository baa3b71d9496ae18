/**
 * The reliability suite's ledger check. After a scenario it reads every registry and queue
 * (one atomic census) and the executions the fixture tasks recorded, and says, per job id:
 *
 * - lost: enqueued but in no registry, or expected to finish and not finished (or finished
 *   without the task having recorded a finished run);
 * - doubled: in two places at once, or run to completion more than once without an
 *   interrupted attempt that explains it;
 * - reRun: run to completion twice because a fault interrupted it after the task's work but
 *   before the completion was recorded: the at-least-once re-run, counted and bounded by the
 *   caller (at most the jobs in flight when the fault hit).
 */
import type { Redis } from "ioredis";
import { expect } from "vitest";
import type { Keys } from "../../../src/redis/keys.js";
import { census } from "../../helpers/census.js";

export interface AccountInput {
  redis: Redis;
  keys: Keys;
  queues: string[];
  /** Every job id the scenario enqueued (or the scheduler enqueued, found by the caller). */
  ids: string[];
  /** The fixture's record hash(es) (kwargs.rec): completions per job id. */
  rec?: string | string[];
  /**
   * A finished job may already be gone (short retention, cleanRegistries): absent from every
   * registry counts as finished when the task recorded exactly one finished run.
   */
  allowExpired?: boolean;
  /** Where each job must end up; default "finished". */
  expect?: "finished" | "failed" | ((id: string) => string);
}

export interface Account {
  jobs: number;
  lost: string[];
  doubled: string[];
  reRun: string[];
  /** Job ids found in the registries that the scenario did not list. */
  strangers: string[];
  /** Place -> count, for messages. */
  places: Record<string, number>;
}

export async function account(input: AccountInput): Promise<Account> {
  const where = await census(input, input.queues);
  const completions: Record<string, string> = {};
  for (const rec of input.rec === undefined ? [] : [input.rec].flat()) Object.assign(completions, await input.redis.hgetall(rec));
  const want = (id: string) => (typeof input.expect === "function" ? input.expect(id) : input.expect ?? "finished");
  const lost: string[] = [];
  const doubled: string[] = [];
  const reRun: string[] = [];
  const places: Record<string, number> = {};
  const listed = new Set(input.ids);
  for (const id of input.ids) {
    const at = where.get(id) ?? [];
    for (const p of at) places[p.split(":")[0]!] = (places[p.split(":")[0]!] ?? 0) + 1;
    if (at.length === 0) {
      const expired = input.allowExpired && want(id) === "finished" && Number(completions[id] ?? 0) === 1;
      if (!expired) lost.push(id);
      continue;
    }
    if (at.length > 1) doubled.push(id);
    const kind = at[0]!.split(":")[0]!;
    const expected = want(id);
    if (kind !== expected) lost.push(id);
    const runs = Number(completions[id] ?? 0);
    if (input.rec && expected === "finished") {
      if (runs === 0) lost.push(id);
      if (runs > 1) {
        // A second completion is the at-least-once re-run only if an attempt was interrupted.
        const history = (await input.redis.lrange(input.keys.attempts(id), 0, -1)).map((r) => JSON.parse(r) as { outcome: string });
        if (history.some((a) => a.outcome === "requeued" || a.outcome === "abandoned") && runs === 2) reRun.push(id);
        else doubled.push(id);
      }
    }
  }
  const strangers = [...where.keys()].filter((id) => !listed.has(id));
  return { jobs: input.ids.length, lost: [...new Set(lost)], doubled: [...new Set(doubled)], reRun, strangers, places };
}

/** Figures of one scenario, printed as one line the report table is built from. */
export function report(scenario: string, a: Account, recoveryMs: number | undefined): void {
  // eslint-disable-next-line no-console
  console.log(
    `RELIABILITY ${JSON.stringify({ scenario, jobs: a.jobs, lost: a.lost.length, doubled: a.doubled.length, reRun: a.reRun.length, recoveryMs: recoveryMs === undefined ? null : Math.round(recoveryMs) })}`,
  );
}

/** Nothing lost, nothing doubled, no stranger, at most `maxReRuns` at-least-once re-runs. */
export function expectAccounted(a: Account, maxReRuns = 0): void {
  expect({ lost: a.lost, doubled: a.doubled, strangers: a.strangers }).toEqual({ lost: [], doubled: [], strangers: [] });
  expect(a.reRun.length).toBeLessThanOrEqual(maxReRuns);
}
