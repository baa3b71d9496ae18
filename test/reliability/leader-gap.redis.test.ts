/**
 * No gap on leader death (issue 16): three `scheduler start` daemons, every-second tasks, the
 * leader killed with -9 five times (a fresh daemon replaces each dead one). Counted from the
 * task's own log of the slots it ran: at most 2 slots missing per kill under `catchup:
 * "latest"` (one late run covers them), none under `catchup: { all: true }`, never a slot run
 * twice, and a follower fires within a few seconds of the kill, not after the 10 s lease.
 *
 * A slot the ledger records as skipped for overlap (its previous run still queued or running:
 * on a loaded machine a fresh daemon's workers can take seconds to start) is the documented
 * overlap rule, not a failover gap: such slots are counted and printed, not charged to a kill.
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_JOB_TAGS, testRedis, waitFor, type TestRedis } from "../helpers/redis.js";
import { readLastSlots } from "../../src/scheduler/guard-records.js";
import { createKeys } from "../../src/redis/keys.js";
import { scanMasters } from "../../src/ops/masters.js";
import { describeEntry, readLedger } from "../../src/scheduler/ledger.js";
import { spawnScheduler } from "./helpers/procs.js";
import { type Watched, stoppedAfterEach } from "../helpers/spawn.js";
import { atMidSecond, doubledSlots, missingSlots, readSlotLog, waitForSlot } from "./helpers/slot-log.js";

const FAILOVER_HOOKS = fileURLToPath(new URL("./fixtures/app/hooks-failover.ts", import.meta.url));
const ROUNDS = 5;
const TASK = "cron:* * * * * *|app.tasks.tick";

let t: TestRedis;
/** Killed (and awaited) after each test: a failing test leaves no process behind. */
const procs = stoppedAfterEach();

beforeAll(async () => {
  t = await testRedis("leader-gap");
});
afterAll(async () => {
  // Each scenario runs on a prefix of its own (`<prefix>-<scenario>`), which the cleanup's
  // pattern for the file's prefix does not match: without this the keys stayed after each run.
  for (const scenario of ["paused", "kill"]) {
    const found = await scanMasters(t.redis, createKeys(`${t.prefix}-${scenario}`).pattern);
    for (let i = 0; i < found.length; i += 500) await t.redis.del(...found.slice(i, i + 500));
  }
  await t.cleanup();
});

/** A scenario's own prefix, in the tests' key layout (its marker written, as testRedis does). */
async function scenarioPrefix(scenario: string): Promise<string> {
  const prefix = `${t.prefix}-${scenario}`;
  await t.redis.set(createKeys(prefix).layout(), TEST_JOB_TAGS);
  return prefix;
}

/** A task's last recorded slot (fired or skipped), where the product keeps it in either layout. */
async function lastSlotOf(prefix: string, task: string): Promise<number> {
  const [slot] = await readLastSlots(t.redis, createKeys(prefix, { jobTags: TEST_JOB_TAGS }), [{ id: task, queue: "default" }]);
  return Number(slot);
}


interface Round {
  killedAt: number;
  /** ms from the kill until a slot after it was recorded (fired or skipped) by the new leader. */
  resumedMs: number;
  missing: number[];
}
type Catchup = "latest" | "all";
interface PolicyResult {
  rounds: Round[];
  doubled: number[];
  unexplained: number[];
  overlap: number;
}

/**
 * Both policies under the same kills: the daemons hold two every-second tasks (the fixture's
 * FAILOVER_SECOND_REC), one on { all: true } and one on "latest", each with its own slot log,
 * and every round's takeover is measured for each task on its own. One set of five rounds
 * instead of one per policy (half the time): still three daemons, not two sets side by side,
 * which loaded the machine past the takeover bound once.
 */
const POLICIES: Record<Catchup, { task: string }> = {
  all: { task: "cron:* * * * * *|app.tasks.tick" },
  latest: { task: "cron:*/1 * * * * *|app.tasks.tick" },
};
const CATCHUPS = Object.keys(POLICIES) as Catchup[];

async function killRounds(): Promise<Record<Catchup, PolicyResult>> {
  const prefix = await scenarioPrefix("kill");
  const rec = (catchup: Catchup) => `${t.keys.root}:rec:${catchup}`;
  const start = () => {
    const d = spawnScheduler("start", FAILOVER_HOOKS, t.url, prefix, ["--queue", "default"], {
      env: { RELIABILITY_REC: rec("all"), FAILOVER_CATCHUP: "all", FAILOVER_SECOND_REC: rec("latest") },
    });
    procs.push(d);
    return d;
  };
  const keysLeader = `{${prefix}}:scheduler:leader`;
  const pidOfLeader = async () => {
    const token = await t.redis.get(keysLeader);
    return token ? Number(token.split(":")[1]) : undefined;
  };
  const daemons = [start(), start(), start()];
  await waitFor(async () => (await t.redis.hlen(`${rec("all")}:slots`)) >= 3 && (await t.redis.hlen(`${rec("latest")}:slots`)) >= 3, 30_000);
  const kills: Array<{ killedAt: number; resumedAt: Record<Catchup, number> }> = [];
  for (let round = 0; round < ROUNDS; round++) {
    const pid = await waitFor(pidOfLeader, 15_000);
    const leader = daemons.find((d) => d.proc.pid === pid && d.alive());
    expect(leader, `round ${round}: the leader (pid ${pid}) is one of ours`).toBeDefined();
    await atMidSecond();
    const killedAt = Date.now();
    await leader!.kill9();
    const firstAfter = Math.ceil(killedAt / 1000) * 1000;
    // Each task's own takeover time, both polled side by side from the kill on.
    const resumed = await Promise.all(
      CATCHUPS.map((c) => waitFor(async () => (await lastSlotOf(prefix, POLICIES[c].task)) >= firstAfter && Date.now(), 20_000) as Promise<number>),
    );
    for (const c of CATCHUPS) {
      await waitForSlot(t.redis, rec(c), firstAfter, 20_000);
      // Two more slots on time: the new leader fires on its own, not by a lucky catch-up.
      await waitForSlot(t.redis, rec(c), firstAfter + 3000, 20_000);
    }
    kills.push({ killedAt, resumedAt: { all: resumed[0]!, latest: resumed[1]! } });
    daemons.splice(daemons.indexOf(leader!), 1, start());
    expect(await pidOfLeader()).not.toBe(pid);
  }
  const end = Math.floor(Date.now() / 1000) * 1000;
  for (const c of CATCHUPS) await waitForSlot(t.redis, rec(c), end + 2000, 20_000);
  const out = {} as Record<Catchup, PolicyResult>;
  for (const catchup of CATCHUPS) {
    const log = await readSlotLog(t.redis, rec(catchup));
    const ledger = await readLedger(t.redis, createKeys(prefix), POLICIES[catchup].task);
    const overlapped = new Set(ledger.filter((e) => e.reason === "overlap").flatMap((e) => everySecond(e.firstSlot ?? e.slot, e.slot)));
    const missing = missingSlots(log, kills[0]!.killedAt - 3000, end).filter((s) => !overlapped.has(s));
    // A kill can cost the slot it interrupted and the ones before the follower's grace ran out.
    const window = (k: { killedAt: number }) => (s: number) => s > k.killedAt - 1000 && s < k.killedAt + 3000;
    const rounds = kills.map((k) => ({ killedAt: k.killedAt, resumedMs: k.resumedAt[catchup] - k.killedAt, missing: missing.filter(window(k)) }));
    const unexplained = missing.filter((s) => !kills.some((k) => window(k)(s)));
    // What the ledger says of the slots that did not run (overlap skips, misses): for a failure message.
    const notRun = ledger.filter((e) => e.outcome !== "enqueued").map((e) => `${new Date(e.firstSlot ?? e.slot).toISOString()}..${new Date(e.slot).toISOString()} ${describeEntry(e)}`);
    // eslint-disable-next-line no-console
    console.log(`LEADER-GAP ${catchup}: ${JSON.stringify(rounds.map((r) => ({ missing: r.missing.length, resumedMs: r.resumedMs })))} overlap-skipped ${overlapped.size}\n  kills ${kills.map((k) => new Date(k.killedAt).toISOString()).join(" ")}\n  missing ${missing.map((m) => new Date(m).toISOString()).join(" ")}\n  ${notRun.join("\n  ")}`);
    out[catchup] = { rounds, doubled: doubledSlots(log), unexplained, overlap: overlapped.size };
  }
  return out;
}

/** The five rounds run once, by whichever of the two tests below comes first; both read them. */
let rounds: Promise<Record<Catchup, PolicyResult>> | undefined;
const killRoundsOnce = () => (rounds ??= killRounds());

const everySecond = (from: number, to: number) => Array.from({ length: Math.floor((to - from) / 1000) + 1 }, (_, i) => from + i * 1000);

describe("a paused leader (SIGSTOP 5 s, shorter than its 10 s lease) cannot fire with its stale lease", () => {
  it("the followers take over at once; after SIGCONT it steps down; no slot runs twice", async () => {
    const rec = `${t.keys.root}:rec:paused`;
    const prefix = await scenarioPrefix("paused");
    const daemons = [0, 1, 2].map(() => {
      const d = spawnScheduler("start", FAILOVER_HOOKS, t.url, prefix, ["--queue", "default"], { env: { RELIABILITY_REC: rec, FAILOVER_CATCHUP: "all" } });
      procs.push(d);
      return d;
    });
    await waitFor(async () => (await t.redis.hlen(`${rec}:slots`)) >= 3, 30_000);
    const leaderKey = `{${prefix}}:scheduler:leader`;
    const pid = Number((await t.redis.get(leaderKey))!.split(":")[1]);
    const leader = daemons.find((d) => d.proc.pid === pid)!;
    expect(leader).toBeDefined();
    await atMidSecond();
    const pausedAt = Date.now();
    leader.proc.kill("SIGSTOP");
    const firstAfter = Math.ceil(pausedAt / 1000) * 1000;
    await waitFor(async () => (await lastSlotOf(prefix, TASK)) >= firstAfter, 10_000);
    const takenMs = Date.now() - pausedAt;
    expect(Number((await t.redis.get(leaderKey))!.split(":")[1])).not.toBe(pid);
    // It wakes inside its own lease bound: it still believes it leads and its next write carries
    // its old fence number, which the slot-record script refuses.
    await new Promise((r) => setTimeout(r, 5_000 - (Date.now() - pausedAt)));
    leader.proc.kill("SIGCONT");
    const resumedAt = Date.now();
    await leader.waitForOutput(/no longer leader/, 15_000);
    const end = Math.floor(Date.now() / 1000) * 1000 + 2000;
    await waitForSlot(t.redis, rec, end + 1000, 20_000);
    const log = await readSlotLog(t.redis, rec);
    const ledger = await readLedger(t.redis, createKeys(prefix), TASK);
    const overlapped = new Set(ledger.filter((e) => e.reason === "overlap").flatMap((e) => everySecond(e.firstSlot ?? e.slot, e.slot)));
    // eslint-disable-next-line no-console
    console.log(`PAUSED-LEADER takeover after ${takenMs} ms; resumed ${new Date(resumedAt).toISOString()}; overlap-skipped ${overlapped.size}; ${/no longer leader[^\n"]*/.exec(leader.output())?.[0]}`);
    expect(takenMs).toBeLessThan(8000);
    expect(doubledSlots(log)).toEqual([]);
    expect(missingSlots(log, pausedAt - 3000, end).filter((s) => !overlapped.has(s))).toEqual([]);
    expect(await t.redis.get(leaderKey)).not.toContain(`:${pid}:`);
  }, 120_000);
});

describe("kill -9 of the leader, five rounds, three daemons (both policies' tasks on them)", () => {
  it('catchup "latest": at most 2 slots missing per kill, none twice', async () => {
    const r = (await killRoundsOnce()).latest;
    expect(r.doubled).toEqual([]);
    expect(r.unexplained).toEqual([]);
    // The target (at most 2 missing per kill) holds when the takeover comes a grace (1.5 s) after
    // the slot it expected. On a machine busy with the rest of the suite one round in five may
    // take longer; its missing slots must then be the ones its measured takeover time explains.
    const slow = r.rounds.filter((round) => round.resumedMs >= 3000);
    expect(slow.length, JSON.stringify(r.rounds.map((x) => [x.missing.length, x.resumedMs]))).toBeLessThanOrEqual(1);
    for (const round of r.rounds) {
      const allowed = round.resumedMs >= 3000 ? Math.ceil(round.resumedMs / 1000) : 2;
      expect(round.missing.length).toBeLessThanOrEqual(allowed);
      // A follower looks a grace (1.5 s) after each slot; the 10 s lease (13 s to a takeover) plays no part.
      expect(round.resumedMs).toBeLessThan(8000);
    }
  }, 180_000);

  it("catchup { all: true }: no slot missing, none twice", async () => {
    const r = (await killRoundsOnce()).all;
    expect(r.doubled).toEqual([]);
    expect(r.unexplained).toEqual([]);
    expect(r.rounds.flatMap((round) => round.missing)).toEqual([]);
    for (const round of r.rounds) expect(round.resumedMs).toBeLessThan(8000);
  }, 180_000);
});
