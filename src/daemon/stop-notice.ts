/**
 * What the daemon says at the first Ctrl-C (or SIGTERM): which jobs it waits for, how long at
 * most, and that the same signal again requeues them and stops now.
 */
import { formatMs, shortId } from "../worker/supervisor/job-lines.js";

export interface AwaitedJob {
  id: string;
  queue: string;
  method?: string;
  startedAt?: number;
  /** Hard deadline: the job is stopped there even if the grace is longer. */
  deadline: number;
}

const SHOWN = 5;

export function stopNotice(signal: string, jobs: AwaitedJob[], graceMs: number, now: number): string {
  const again = signal === "SIGINT" ? "Ctrl-C" : signal;
  if (jobs.length === 0) return `${signal}: stopping; no job is running`;
  const wait = Math.max(0, Math.min(graceMs, Math.max(...jobs.map((j) => j.deadline - now))));
  const listed = jobs.slice(0, SHOWN).map((j) => {
    const ran = j.startedAt === undefined ? "" : `running ${formatMs(now - j.startedAt)}, `;
    return `${j.queue} ${j.method ?? "(task unknown)"} ${shortId(j.id)} (${ran}at most ${formatMs(Math.max(0, Math.min(graceMs, j.deadline - now)))} more)`;
  });
  const more = jobs.length > SHOWN ? ` and ${jobs.length - SHOWN} more` : "";
  const them = jobs.length === 1 ? "it" : "them";
  return `${signal}: stopping; waiting at most ${formatMs(wait)} for ${jobs.length} running job${jobs.length === 1 ? "" : "s"}: ${listed.join("; ")}${more}. ${again} again requeues ${them} and stops now`;
}
