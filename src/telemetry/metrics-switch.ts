/**
 * One switch for the whole observability layer: SCHEDULER_METRICS=off turns off the per-job
 * tallies, the history writes in the job scripts and the tracing calls (the bench measures
 * their cost by running with and without). Read from the environment so worker children,
 * which inherit it, agree with their daemon without a config field of their own.
 */
export function metricsEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = (env.SCHEDULER_METRICS ?? "").trim().toLowerCase();
  return !(v === "off" || v === "0" || v === "false" || v === "no");
}

/** Read once per process: the hot path asks for every job. */
export const METRICS_ON = metricsEnabled();
