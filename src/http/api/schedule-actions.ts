/**
 * Per-schedule actions (pause/resume with a note, backfill with a dry run). Their state and
 * rules belong to the scheduler (the per-schedule controls); this file is only the HTTP side.
 * Until a ScheduleControls implementation is passed in, these endpoints answer 501 with a
 * message saying so, and GET /api/meta tells the page not to show the buttons.
 *
 * Wiring: registerConsole(app, { ...deps, scheduleControls }) with an object that calls the
 * scheduler's own functions (the same ones `scheduler pause TASK --note` and
 * `scheduler backfill` use).
 */
import type { FastifyInstance } from "fastify";
import { ApiError, sendError, type ApiContext } from "./context.js";

export interface SchedulePause {
  paused: boolean;
  note?: string;
  by?: string;
  at?: number;
}

export interface BackfillPlan {
  task: string;
  slots: number[];
  /** true when the slots were enqueued, false for a dry run. */
  enqueued: boolean;
  jobIds?: string[];
}

export interface ScheduleControls {
  pause(task: string, o: { note?: string; by: string }): Promise<SchedulePause>;
  resume(task: string, o: { by: string }): Promise<SchedulePause>;
  /** Pause state of each task id that has one. */
  states(tasks: readonly string[]): Promise<Record<string, SchedulePause>>;
  backfill(task: string, o: { from: number; to: number; dryRun: boolean; by: string }): Promise<BackfillPlan>;
}

/** Every task id this console knows, or a 404 naming the one given. */
export function knownTask(ctx: ApiContext, id: unknown): string {
  if (typeof id !== "string" || id === "") throw new ApiError(400, "BAD_BODY", 'body field "task" (a scheduled task id) is required');
  if (!ctx.tasks.some((t) => t.id === id)) throw new ApiError(404, "NO_SUCH_TASK", `no scheduled task "${id}" in the hooks file`);
  return id;
}

function need(controls: ScheduleControls | undefined): ScheduleControls {
  if (!controls) throw new ApiError(501, "NOT_AVAILABLE", "per-schedule pause, resume and backfill are not available in this build");
  return controls;
}

function body(request: { body: unknown }): Record<string, unknown> {
  const b = request.body;
  return b && typeof b === "object" && !Array.isArray(b) ? (b as Record<string, unknown>) : {};
}

function when(value: unknown, name: string): number {
  const n = typeof value === "number" ? value : typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(n)) throw new ApiError(400, "BAD_BODY", `body field "${name}" must be an ISO time or ms since epoch`);
  return n;
}

export function registerScheduleActions(app: FastifyInstance, ctx: ApiContext, controls: ScheduleControls | undefined, by: () => string): void {
  app.post("/api/schedules/pause", async (request, reply) => {
    try {
      const b = body(request);
      const task = knownTask(ctx, b.task);
      const note = typeof b.note === "string" && b.note.trim() !== "" ? b.note.trim() : undefined;
      return await need(controls).pause(task, { ...(note ? { note } : {}), by: by() });
    } catch (err) {
      return sendError(reply, err);
    }
  });
  app.post("/api/schedules/resume", async (request, reply) => {
    try {
      return await need(controls).resume(knownTask(ctx, body(request).task), { by: by() });
    } catch (err) {
      return sendError(reply, err);
    }
  });
  app.post("/api/schedules/backfill", async (request, reply) => {
    try {
      const b = body(request);
      const task = knownTask(ctx, b.task);
      const from = when(b.from, "from");
      const to = when(b.to, "to");
      if (to < from) throw new ApiError(400, "BAD_BODY", '"to" is before "from"');
      return await need(controls).backfill(task, { from, to, dryRun: b.dryRun !== false, by: by() });
    } catch (err) {
      return sendError(reply, err);
    }
  });
}
