/** Every JSON endpoint the console's pages use (docs/http-api.md lists them). */
import type { FastifyInstance } from "fastify";
import type { ApiContext } from "./context.js";
import { registerEvents } from "./events.js";
import { registerJobBulk } from "./job-bulk.js";
import { registerJobs } from "./jobs.js";
import { registerMeta } from "./meta.js";
import { registerOverview } from "./overview.js";
import { registerScheduleActions, type ScheduleControls } from "./schedule-actions.js";
import { registerSchedules } from "./schedules.js";
import { registerWorkers } from "./workers.js";

export function registerApi(app: FastifyInstance, ctx: ApiContext, controls: ScheduleControls | undefined): void {
  app.addHook("onRequest", async (request) => {
    if (request.url.startsWith("/api/")) await ctx.refresh();
  });
  registerMeta(app, ctx, { scheduleControls: controls !== undefined });
  registerOverview(app, ctx);
  registerSchedules(app, ctx, controls);
  registerScheduleActions(app, ctx, controls, () => "console");
  registerJobs(app, ctx);
  registerJobBulk(app, ctx);
  registerWorkers(app, ctx);
  registerEvents(app, ctx);
}
