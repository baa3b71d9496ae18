/**
 * The console on a Fastify app: security hooks first (they guard every route of this app, the
 * metrics history included), then the JSON API, the assets and the pages.
 */
import type { FastifyInstance } from "fastify";
import { apiContext, type ConsoleDeps } from "../api/context.js";
import { registerApi } from "../api/register-api.js";
import type { ScheduleControls } from "../api/schedule-actions.js";
import { scheduleControlsFor } from "../api/schedule-controls.js";
import { registerSecurity } from "../security.js";
import type { HttpDeps } from "../types.js";
import { loadAssets, registerAssets } from "./assets.js";
import { registerPages } from "./pages.js";

export interface ConsoleOptions extends ConsoleDeps {
  /** Per-schedule pause/resume/backfill; default: the scheduler's own (src/ops/schedule-controls.ts). */
  scheduleControls?: ScheduleControls;
}

export async function registerConsole(app: FastifyInstance, deps: HttpDeps | ConsoleOptions): Promise<void> {
  const options = deps as ConsoleOptions;
  const ctx = await apiContext(options);
  await registerSecurity(app, deps);
  registerApi(app, ctx, options.scheduleControls ?? scheduleControlsFor(ctx));
  const assets = loadAssets();
  registerAssets(app, assets);
  registerPages(app, [...assets.keys()].filter((path) => path.endsWith(".js") || path.endsWith(".mjs")).filter((path) => !path.includes("uPlot")));
}
