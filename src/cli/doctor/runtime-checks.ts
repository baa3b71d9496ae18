/**
 * Doctor checks of the running system: is every queue with work served, does a scheduler lead
 * and fire, are jobs stuck past their timeout, did jobs fail lately. Read-only, through the
 * same readers `scheduler status` uses (src/ops).
 */
import { systemClock } from "../../base/clock.js";
import { getQueueStatsWith, knownQueues } from "../../queue/registry.js";
import type { QueueEnv } from "../../queue/context.js";
import { readPerTag } from "../../redis/tag-pipeline.js";
import { readSchedulerState } from "../../ops/scheduler-state.js";
import { workerOverview } from "../../ops/workers.js";
import { doctorKeys, finding, type Check, type DoctorContext, type Finding } from "./types.js";
import { jobField } from "../../queue/job-fields.js";

/** A started job this far past its deadline is stuck (the supervisor kills at the deadline). */
const STUCK_SLACK_MS = 30_000;
const RECENT_FAILURE_MS = 3_600_000;

async function envOf(ctx: DoctorContext): Promise<QueueEnv | undefined> {
  if (!ctx.redis || !ctx.config) return undefined;
  return { redis: ctx.redis, keys: await doctorKeys({ ...ctx, config: ctx.config }), clock: systemClock, queues: ctx.config.queues, retention: ctx.config.retention };
}

const skipped = (check: string): Finding[] => [finding(check, "warn", "skipped: Redis did not answer", "fix the Redis errors above")];

export const workersCheck: Check = {
  name: "workers",
  async run(ctx) {
    const env = await envOf(ctx).catch(() => undefined);
    if (!env) return skipped("workers");
    const [stats, workers] = await Promise.all([getQueueStatsWith(env), workerOverview(env)]);
    const served = new Set(workers.flatMap((w) => w.queues));
    const findings: Finding[] = [];
    for (const [queue, counts] of Object.entries(stats)) {
      if (counts.queued > 0 && !served.has(queue)) {
        findings.push(
          finding("workers", "error", `queue "${queue}" has ${counts.queued} pending job(s) and no live worker serves it`, `run \`scheduler start\` or \`scheduler worker --queue ${queue}\``),
        );
      }
    }
    if (findings.length) return findings;
    if (workers.length === 0) return [finding("workers", "warn", "no worker is online (no queue has pending work)", "run `scheduler start` to run jobs")];
    return [finding("workers", "ok", `${workers.length} worker(s) online serving ${[...served].sort().join(", ")}`)];
  },
};

export const schedulerCheck: Check = {
  name: "scheduler",
  async run(ctx) {
    const env = await envOf(ctx).catch(() => undefined);
    if (!env) return skipped("scheduler");
    const s = await readSchedulerState(env);
    const tasks = ctx.hooks?.tasks.length ?? 0;
    const findings: Finding[] = [];
    if (s.state === "disabled") findings.push(finding("scheduler", "warn", "the scheduler is disabled: no scheduled task fires", "scheduler enable"));
    if (s.state === "paused") findings.push(finding("scheduler", "warn", "the scheduler is paused: no scheduled task fires", "scheduler resume"));
    if (!s.leader && s.lastTick === undefined) {
      // A fresh install: nothing has been started yet, which is not a fault of this setup.
      findings.push(finding("scheduler", "warn", `no scheduler has run yet on this Redis and prefix: ${tasks} scheduled task(s) wait for one`, "run `scheduler start`"));
    } else if (!s.leader) {
      // It ran before and no longer does: the silent stop users must hear about.
      const ago = Math.round((env.clock() - s.lastTick!) / 1000);
      findings.push(
        finding("scheduler", tasks > 0 ? "error" : "warn", `no scheduler daemon leads (last tick ${ago} s ago): ${tasks} scheduled task(s) will not fire`, "run `scheduler start` (without --no-scheduler)"),
      );
    } else if (findings.length === 0) {
      const ago = s.lastTick === undefined ? "never ticked yet" : `last tick ${Math.round((env.clock() - s.lastTick) / 1000)} s ago`;
      findings.push(finding("scheduler", "ok", `scheduler leader ${s.leader} (${ago})`));
    }
    return findings;
  },
};

export const stuckJobsCheck: Check = {
  name: "stuck",
  async run(ctx) {
    const env = await envOf(ctx).catch(() => undefined);
    if (!env) return skipped("stuck");
    const now = env.clock();
    // each read one pipeline per job tag, sent together (on the installation layout: one)
    const queues = await knownQueues(env);
    const started = await readPerTag(env.redis, queues, (q) => env.keys.jobTag(q), (pipe, q) => pipe.zrange(env.keys.started(q), 0, 199));
    const running = queues.flatMap((queue, i) => (started[i]![0] as string[]).map((id) => ({ id, queue })));
    const ids = running.map((r) => r.id);
    if (ids.length === 0) return [finding("stuck", "ok", "no job is running past its timeout")];
    const rows = (await readPerTag(env.redis, running, (r) => env.keys.jobTag(r.queue), (pipe, r) => pipe.hmget(env.keys.job(r.id, env.keys.jobTag(r.queue)), jobField.startedAt, jobField.timeout, jobField.method, jobField.queue))).map(
      ([row]) => row as Array<string | null>,
    );
    const stuck: Finding[] = [];
    rows.forEach((r, i) => {
      const [startedAt, timeout, method, queue] = r;
      const deadline = Number(startedAt) + Number(timeout) * 1000;
      if (Number.isFinite(deadline) && now > deadline + STUCK_SLACK_MS) {
        stuck.push(
          finding(
            "stuck",
            "error",
            `job ${ids[i]} (${method}, queue ${queue}) has run ${Math.round((now - Number(startedAt)) / 1000)} s, past its ${timeout} s timeout`,
            `check the worker that runs it (scheduler status); scheduler jobs show ${ids[i]}`,
          ),
        );
      }
    });
    return stuck.length ? stuck : [finding("stuck", "ok", "no job is running past its timeout")];
  },
};

export const recentFailuresCheck: Check = {
  name: "failures",
  async run(ctx) {
    const env = await envOf(ctx).catch(() => undefined);
    if (!env) return skipped("failures");
    const now = env.clock();
    // The failed registry is scored by expiry = failure time + retention.
    const since = now - RECENT_FAILURE_MS + env.retention.failed * 1000;
    const queues = await knownQueues(env);
    const counts = (await readPerTag(env.redis, queues, (q) => env.keys.jobTag(q), (pipe, q) => pipe.zcount(env.keys.failed(q), since, "+inf"))).map(([n]) => Number(n));
    const per = queues.map((q, i) => [q, counts[i] ?? 0] as const).filter(([, n]) => n > 0);
    if (per.length === 0) return [finding("failures", "ok", "no job failed in the last hour")];
    const total = per.reduce((a, [, n]) => a + n, 0);
    return [
      finding(
        "failures",
        "warn",
        `${total} job(s) failed in the last hour (${per.map(([q, n]) => `${q}: ${n}`).join(", ")})`,
        "scheduler jobs --status failed; scheduler jobs retry --failed once fixed",
      ),
    ];
  },
};
