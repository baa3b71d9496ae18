/**
 * The per-schedule controls as the tick uses them, in one import: the pause records it reads,
 * deadlines and the installed schedule set (exclusions are decided in plan-tick.ts). The logic
 * lives in the modules re-exported here; scheduler.ts keeps only the call sites.
 */
import type { Keys } from "../redis/keys.js";
import { scheduleKeys } from "../redis/schedule-keys.js";

export { checkDeadlines, type DeadlineMiss } from "./deadlines.js";
export { installSchedules } from "./schedule-install.js";

/** The hash of schedules paused one by one (src/scheduler/schedule-pause.ts). */
export const pauseKey = (keys: Keys): string => scheduleKeys(keys).pause();
