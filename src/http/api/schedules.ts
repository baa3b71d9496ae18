/**
 * GET /api/schedules: every scheduled task with its next 10 fires (DST changes named), its last
 * runs from the fire ledger (lateness, outcome, skip reason) and counters over the ledger kept.
 * POST /api/schedules/trigger { task }: one extra run now, as `scheduler trigger <dotted.path>`.
 * POST /api/scheduler/{pause,resume,enable,disable}: the whole scheduler, as the CLI switches.
 */
import type { FastifyInstance } from "fastify";
import { enqueueWith } from "../../queue/enqueue.js";
import type { Job } from "../../queue/types.js";
import { LEDGER_MAX, type LedgerEntry } from "../../scheduler/ledger.js";
import { readScheduleReadings, scheduleRow } from "../../ops/schedule-rows.js";
import { describeSwitches, setSwitch, type SwitchAction } from "../../scheduler/switches.js";
import { readSchedulerState } from "../../ops/scheduler-state.js";
import { readScheduleOverrides } from "../../ops/schedule-overrides.js";
import { sendError, intParam, type ApiContext } from "./context.js";
import { previewFires } from "./schedule-fires.js";
import { knownTask, type ScheduleControls } from "./schedule-actions.js";

/** Ledger entries read per task for the list (the page asks for more per task on demand). */
const RUNS_SHOWN = 10;
const FIRES_SHOWN = 10;

function counters(entries: LedgerEntry[]): Record<string, number> {
  const out: Record<string, number> = { enqueued: 0, skipped: 0, missed: 0 };
  for (const e of entries) out[e.outcome] = (out[e.outcome] ?? 0) + (e.count ?? 1);
  return out;
}

export async function listSchedules(ctx: ApiContext, controls: ScheduleControls | undefined, runs: number) {
  const { env, deps, tasks } = ctx;
  const zone = deps.config.timezone;
  const now = env.clock();
  const [readings, pauses, scheduler, overrides] = await Promise.all([
    readScheduleReadings(env.redis, env.keys, tasks, LEDGER_MAX),
    controls ? controls.states(tasks.map((t) => t.id)) : Promise.resolve({}),
    readSchedulerState(env),
    readScheduleOverrides(env.redis, env.keys, tasks, zone),
  ]);
  return {
    zone,
    at: now,
    scheduler: { state: scheduler.state, paused: scheduler.paused, enabled: scheduler.enabled },
    tasks: readings.map((r, i) => {
      const t = r.task;
      const pause = (pauses as Record<string, unknown>)[t.id];
      return scheduleRow(
        r,
        { catchup: t.catchup, source: t.source },
        {
          ...(pause ? { pause } : {}),
          // what Redis holds that differs from the hooks file (ops/schedule-overrides.ts)
          overrides: overrides[i] ?? [],
          next: previewFires(t.expression, zone, now, FIRES_SHOWN),
          runs: r.ledger.slice(0, runs),
          counters: counters(r.ledger),
        },
      );
    }),
  };
}

function who(request: { ip: string; headers: Record<string, unknown> }): string {
  const agent = typeof request.headers["user-agent"] === "string" ? (request.headers["user-agent"] as string).split(" ")[0] : "browser";
  return `console@${request.ip} (${agent})`;
}

export function registerSchedules(app: FastifyInstance, ctx: ApiContext, controls: ScheduleControls | undefined): void {
  app.get("/api/schedules", async (request, reply) => {
    try {
      return await listSchedules(ctx, controls, intParam(request.query, "runs", RUNS_SHOWN, 1, 200));
    } catch (err) {
      return sendError(reply, err);
    }
  });

  app.post("/api/schedules/trigger", async (request, reply) => {
    try {
      const id = knownTask(ctx, (request.body as Record<string, unknown> | null)?.task);
      const t = ctx.tasks.find((x) => x.id === id)!;
      const job = (await enqueueWith(ctx.env, t.method, {
        queue: t.queue,
        kwargs: t.kwargs,
        ...(t.timeout !== undefined ? { timeout: t.timeout } : {}),
        ...(t.onFailure !== undefined ? { onFailure: t.onFailure } : {}),
      })) as Job;
      return { task: id, jobId: job.id, queue: job.queue };
    } catch (err) {
      return sendError(reply, err);
    }
  });

  for (const action of ["pause", "resume", "enable", "disable"] as const satisfies readonly SwitchAction[]) {
    app.post(`/api/scheduler/${action}`, async (request) => {
      const { before, after } = await setSwitch(ctx.env, action, who(request));
      return { before: describeSwitches(before), state: describeSwitches(after) };
    });
  }
}
