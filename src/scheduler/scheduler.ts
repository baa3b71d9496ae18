/**
 * The tick loop: sleep until the earliest next slot (capped, woken early by wake()), then, if we
 * lead, fire every due slot through enqueueScheduled (which records the slot atomically with the
 * enqueue) and write the ledger, else watch for a leader that stopped firing (failover.ts).
 * Never busy-polls: a timer that fires early sleeps the rest. Writes carry the lease's fence.
 *
 * One tick: one round trip reads the switches and the last slot of the tasks it looks at (the
 * due ones, or all at a full read: quiet-index.ts; past a few thousand tasks, slice by slice:
 * tick-read.ts); planTick (pure, plan-tick.ts, on src/schedule/due.ts) decides what fires and
 * what is skipped; each fire is one enqueue.lua call; baselines, skips, ledger entries and the
 * tick time go in one pipeline per slice (on the per-queue layout, after one per queue tag with
 * the skips' and baselines' slot records: skips.ts); then delayed jobs are promoted.
 */
import { systemClock, type Clock } from "../base/clock.js";
import { describeError } from "../base/errors.js";
import type { ScheduledTask } from "../hooks/types.js";
import type { QueueEnv } from "../queue/context.js";
import { enqueueScheduled } from "../queue/enqueue-scheduled.js";
import { promoteScheduled } from "../queue/lifecycle.js";
import { LEASE_SCRIPTS } from "../redis/lease.js";
import { preloadScripts } from "../redis/scripts.js";
import { createFollower } from "./failover.js";
import { createLeaderLease, type LeaderLease } from "./leader.js";
import { LEDGER_SCRIPTS, TAG_SKIP_SCRIPTS, type LedgerEntry } from "./ledger.js";
import { writeFireEntries, writeSkips } from "./skips.js";
import { excludedEntry, planTick, type PlannedFire } from "./plan-tick.js";
import { createQuietIndex } from "./quiet-index.js";
import { planInSlices } from "./tick-read.js";
import { checkDeadlines, installSchedules, pauseKey, type DeadlineMiss } from "./tick-controls.js";
import { LatencyStats, type LatencySummary } from "./latency.js";
import { validateSchedule } from "../schedule/next-fire.js";
import { parseSwitches, type SchedulerSwitches } from "./switches.js";
import type { Logger } from "../log/logger.js";
import { highestTagFence, raiseTagFences } from "./tag-fences.js";

export type SchedulerLogger = Pick<Logger, "info" | "warn" | "error"> & Partial<Pick<Logger, "debug">>;

export interface SchedulerOptions {
  env: QueueEnv;
  tasks: ScheduledTask[];
  /** IANA zone cron is evaluated in. */
  timezone: string;
  clock?: Clock;
  /** Leader lease ttl (ms), default 10 s. */
  leaseMs?: number;
  logger?: SchedulerLogger;
  /** Longest sleep between ticks (switches, new leadership and reloads are seen at least this often). */
  maxSleepMs?: number;
  /** A slot this late still counts as on time (see due.ts). */
  graceMs?: number;
  /** A follower takes the lead when a due slot is unrecorded this long (ms; see failover.ts). */
  failoverGraceMs?: number;
  onDeadlineMissed?: (miss: DeadlineMiss) => void | Promise<void>; // each slot that missed its `deadline`, once
  /** Between full reads of every task's records (ms, default 30 s): see quiet-index.ts. */
  fullReadMs?: number;
  /** Tasks read and planned at once (default TICK_SLICE): see tick-read.ts. */
  tickSlice?: number;
}

export interface SchedulerState {
  running: boolean;
  leader: boolean;
  token: string;
  tasks: number;
  ticks: number;
  lastTickAt?: number;
  /** When the loop will wake next (ms). */
  nextWakeAt?: number;
  switches?: SchedulerSwitches;
  /** Enqueue lateness (ms after the slot, measured when enqueue.lua answered). */
  lateness: LatencySummary;
}

export interface Scheduler {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Tick now instead of at the next slot (switch changed, reload, leadership gained). */
  wake(): void;
  /** For reload: new tasks take effect at the next tick; new ones start from now. */
  replaceTasks(tasks: ScheduledTask[]): void;
  /** One tick, whether or not we lead (tests); returns the next slot to wake for. */
  tick(): Promise<number | undefined>;
  state(): SchedulerState;
  readonly lease: LeaderLease;
}

const STALE = "another daemon took the lead (our lease number is stale)";

const SCRIPTS = [...LEDGER_SCRIPTS, ...LEASE_SCRIPTS, "scheduler_lease_takeover", "schedule_deadline"];

export function createScheduler(options: SchedulerOptions): Scheduler {
  const { env, timezone } = options;
  const clock = options.clock ?? systemClock;
  const maxSleepMs = options.maxSleepMs ?? 30_000;
  const log = options.logger;
  const { redis, keys } = env;
  for (const t of options.tasks) validateSchedule(t.expression, timezone);

  let tasks = options.tasks;
  const firstSeen = new Map<string, number>();
  const startedAt = clock();
  for (const t of tasks) firstSeen.set(t.id, startedAt);
  const lastError = new Map<string, string>();
  /** Tasks that had nothing due at their last tick (QuietMark in plan-tick.ts): a tick reads and plans only the due ones. */
  const quiet = createQuietIndex(options.fullReadMs);
  /** The tasks with a deadline, per task list (checkDeadlines looks at no other). */
  let watched = { of: undefined as ScheduledTask[] | undefined, tasks: [] as ScheduledTask[] };
  // the lease number last written to the queues' tags, and for which task list (tag-fences.ts)
  let tagFences = { fence: 0, of: undefined as ScheduledTask[] | undefined };
  const raiseFences = async (fence: number, of: ScheduledTask[]): Promise<boolean> => {
    const ok = await raiseTagFences(redis, keys, of.map((t) => t.queue), fence);
    if (ok) tagFences = { fence, of };
    return ok;
  };
  const lateness = new LatencyStats(2000);

  let running = false;
  let loopDone: Promise<void> = Promise.resolve();
  let wakeUp: (() => void) | undefined;
  let woken = false;
  const st = { ticks: 0, lastTickAt: undefined as number | undefined, nextWakeAt: undefined as number | undefined, switches: undefined as SchedulerSwitches | undefined };

  const wake = () => {
    woken = true;
    wakeUp?.();
  };
  const lease = createLeaderLease({
    redis,
    keys,
    clock,
    ttlMs: options.leaseMs,
    logger: log,
    onChange: (leading) => leading && wake(),
    // a new leader's number on every queue tag it serves before it fires (tag-fences.ts)
    onGrant: (fence) => (keys.jobTags === "queue" ? raiseFences(fence, tasks) : Promise.resolve(true)),
    // and a number above every queue tag's, which may hold grants a failover lost on `{prefix}`
    ...(keys.jobTags === "queue" ? { fenceFloor: () => highestTagFence(redis, keys, tasks.map((t) => t.queue)) } : {}),
  });
  const follower = createFollower({ redis, keys, clock, lease, zone: timezone, graceMs: options.failoverGraceMs });

  /** Log a task's error once until it changes (not a line per tick). */
  const taskError = (task: ScheduledTask, err: unknown) => {
    const line = describeError(err);
    if (lastError.get(task.id) === line) return;
    lastError.set(task.id, line);
    log?.error(`scheduler: ${task.id} (${task.source}): ${line}`);
  };

  /** Fire one task's planned slots in order (oldest first: the slot record only moves forward). */
  const fire = async ({ task, slots, older }: PlannedFire, fence: number | undefined): Promise<LedgerEntry[]> => {
    const entries: LedgerEntry[] = [];
    let fired = false;
    // the job of this batch's previous slot: the batch obeys the overlap policy as one
    let sibling: string | undefined;
    for (const s of slots) {
      if (s.excludedBy !== undefined) {
        fired = entries.push(excludedEntry({ ...s, excludedBy: s.excludedBy }, clock())) > 0; // its slot record moves with a later enqueue, or its skip (pipeEntries)
        continue;
      }
      const jitterMs = task.jitter > 0 ? Math.floor(Math.random() * task.jitter * 1000) : 0;
      const r = await enqueueScheduled(env, {
        task: task.id,
        slot: s.slot,
        method: task.method,
        queue: task.queue,
        kwargs: task.kwargs,
        timeout: task.timeout,
        catchup: s.catchup,
        jitterMs,
        onFailure: task.onFailure,
        retry: task.retry,
        fence,
        overlap: task.overlap,
        sibling,
      });
      if (r.outcome === "fenced") return lease.drop(STALE), []; // another daemon leads: its slots now
      const at = clock();
      if (r.outcome === "enqueued") {
        fired = true;
        sibling = r.job.id;
        lateness.add(at - s.slot);
        entries.push({ slot: s.slot, at, outcome: "enqueued", jobId: r.job.id, catchup: s.catchup, latenessMs: at - s.slot });
        log?.debug?.(`scheduler: ${task.id} slot ${new Date(s.slot).toISOString()} -> ${r.job.id}`);
      } else if (r.outcome === "overlap") {
        fired = true;
        entries.push({ slot: s.slot, at, outcome: "skipped", reason: "overlap", runningJobId: r.runningJobId, catchup: s.catchup });
      } else {
        entries.push({ slot: s.slot, at, outcome: "skipped", reason: "slot-taken", catchup: s.catchup });
      }
    }
    // Misses and out-of-window skips are older than the fired slots: they go in first. When
    // another daemon took every slot, it wrote them.
    return fired ? [...older, ...entries] : entries;
  };

  /** Read, plan (planTick, pure), then execute: enqueues, and the ledger and slot writes in one pipeline. */
  const tick = async (): Promise<number | undefined> => {
    const now = clock();
    // Taken before any await: a tick that outlives its lease (a paused process) writes nothing.
    const fence = lease.isLeader() ? lease.fence() : undefined;
    const current = tasks;
    if (fence !== undefined && keys.jobTags === "queue" && (tagFences.fence !== fence || tagFences.of !== current)) {
      // a new lease (or new queues): our number on every queue tag before we fire on any
      if (!(await raiseFences(fence, current))) return lease.drop(STALE), undefined;
    }
    const selection = quiet.select(current, now, fence);
    const fires: Array<Promise<void>> = [];
    let fenced = false;
    let planned: number | undefined;
    const reading = planInSlices({
      redis,
      keys,
      selection,
      slice: options.tickSlice,
      plan: (part, lastSlots, pauses, sw) =>
        planTick({ tasks: part, lastSlots, pauses, switches: sw, now, zone: timezone, firstSeen: (id) => firstSeen.get(id), graceMs: options.graceMs, quiet: (task) => quiet.mark(task) }),
      onSlice: async (plan) => {
        quiet.take(selection, plan);
        for (const { task, error } of plan.errors) taskError(task, error);
        if (plan.nextWake !== undefined) planned = Math.min(planned ?? Infinity, plan.nextWake);
        // Enqueues start first (as the plan lists them); the pipeline follows on the same connection.
        for (const f of plan.fires) {
          const fired = fire(f, fence).then(
            (entries) => {
              lastError.delete(f.task.id);
              if (entries.length) return writeFireEntries(redis, keys, f.task, entries, fence);
            },
            (err) => taskError(f.task, err),
          );
          // awaited once every slice is read; until then a failed ledger write is not an
          // unhandled rejection (which would end the process)
          fired.catch(() => {});
          fires.push(fired);
        }
        // skips and baselines on the queues' tags first on the per-queue layout (skips.ts)
        const refused = await writeSkips(redis, keys, {
          skips: plan.skips,
          baselines: plan.baselines,
          fence,
          after: (p) => p.hset(keys.schedulerState(), "lastTick", String(now)),
        });
        if (refused) fenced = true;
      },
    });
    // A slice's read failing ends the tick: the fires already started still settle first, so
    // none is left running (or rejecting) unobserved.
    const switches = await reading.catch(async (err: unknown) => {
      await Promise.allSettled(fires);
      throw err;
    });
    st.switches = switches;
    const quietNext = quiet.settle(selection);
    await Promise.all(fires);
    if (fenced) lease.drop(STALE);
    if (watched.of !== current) watched = { of: current, tasks: current.filter((t) => t.deadlineMs !== undefined) };
    const deadlineWake = await checkDeadlines(env, watched.tasks, timezone, now, options.onDeadlineMissed, log);
    const next = Math.min(planned ?? Infinity, quietNext ?? Infinity, deadlineWake ?? Infinity);
    await promoteScheduled(env);
    st.ticks++;
    st.lastTickAt = now;
    return Number.isFinite(next) ? next : undefined;
  };

  /** Sleep until `target` by our clock; wake() cuts it short; an early timer sleeps the rest. */
  const sleepUntil = async (target: number) => {
    while (running && !woken) {
      const left = target - clock();
      if (left <= 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, maxSleepMs));
        wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wakeUp = undefined;
    }
  };

  const loop = async () => {
    let failures = 0;
    while (running) {
      woken = false;
      let wakeAt = clock() + maxSleepMs;
      const leading = lease.isLeader();
      try {
        // A follower watches the slot record and takes the lead when the leader stops firing.
        const next = leading ? await tick() : await follower.watch(tasks, (id) => firstSeen.get(id));
        if (next !== undefined) wakeAt = Math.min(wakeAt, next);
        failures = 0;
      } catch (err) {
        failures++;
        if (failures === 1 || failures % 30 === 0) log?.warn(`scheduler: ${leading ? "tick" : "watching the leader"} failed (${failures}x): ${describeError(err)}`);
        wakeAt = clock() + Math.min(200 * 2 ** Math.min(failures, 5), 5000);
      }
      st.nextWakeAt = wakeAt;
      await sleepUntil(wakeAt);
    }
  };

  return {
    lease,
    wake,
    tick,
    async start() {
      if (running) return;
      await preloadScripts(redis, keys.jobTags === "queue" ? [...SCRIPTS, ...TAG_SKIP_SCRIPTS] : SCRIPTS);
      await installSchedules(redis, keys, tasks, timezone, clock());
      running = true;
      lease.start();
      loopDone = loop();
    },
    async stop() {
      if (!running) return;
      running = false;
      wake();
      await loopDone;
      await lease.stop();
    },
    replaceTasks(next) {
      for (const t of next) validateSchedule(t.expression, timezone);
      const now = clock();
      const ids = new Set(next.map((t) => t.id));
      for (const t of next) if (!firstSeen.has(t.id)) firstSeen.set(t.id, now);
      for (const id of [...firstSeen.keys()]) if (!ids.has(id)) firstSeen.delete(id);
      tasks = next;
      installSchedules(redis, keys, next, timezone, now).catch((err: unknown) => log?.warn(`scheduler: recording the schedules for plan failed: ${describeError(err)}`));
      wake();
    },
    state: () => ({
      running,
      leader: lease.isLeader(),
      token: lease.token,
      tasks: tasks.length,
      ticks: st.ticks,
      lastTickAt: st.lastTickAt,
      nextWakeAt: st.nextWakeAt,
      switches: st.switches,
      lateness: lateness.summary(),
    }),
  };
}
