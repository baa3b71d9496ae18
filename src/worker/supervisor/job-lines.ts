/**
 * The daemon's line per job outcome, as `rq worker` and `celery worker` print them:
 *
 *   finished   default  my_app.tasks.send_invoices  8f3a1b2c  12 ms
 *   failed     default  my_app.tasks.flaky_sync     1c9e0d44  3 ms  Error: upstream said 503
 *       at flaky_sync (my_app/tasks.ts:12:9)
 *
 * Each is one log record (kind "job") through the supervisor's logger: JSON in the log file and
 * on a non-terminal, one human line on a terminal (console-format.ts adds the time and zone).
 * A logger made by createLogger gets the record written directly (log/flat-record.ts: the line
 * pino would write, without its per-record walk); any other logger is called as usual.
 * Outcomes that end in the child come with its pulses (job-end-note.ts); timeouts and deaths,
 * which the supervisor handles itself, are reported by it (exit-handling.ts).
 */
import { ConfigError } from "../../base/errors.js";
import { JOB_LINES_MODES, type JobEndNote, type JobEndOutcome, type JobLinesMode } from "../protocol.js";
import { inOneWrite, type Logger } from "../../log/logger.js";
import { writeFlat, type FlatValue } from "../../log/flat-record.js";
export type { JobLinesMode } from "../protocol.js";

/** The label printed for each outcome (fixed width in the line). */
const LABEL: Record<JobEndOutcome | "abandoned", string> = {
  finished: "finished",
  failed: "failed",
  "retry-scheduled": "retry",
  "timed-out": "timed out",
  "timed-out-retry": "timed out, retry",
  canceled: "canceled",
  requeued: "requeued",
  "lease-lost": "lease lost",
  unrecorded: "unrecorded",
  abandoned: "abandoned",
};

const LEVEL: Record<JobEndOutcome | "abandoned", keyof Logger> = {
  finished: "info",
  failed: "error",
  "retry-scheduled": "warn",
  "timed-out": "error",
  "timed-out-retry": "warn",
  canceled: "info",
  requeued: "warn",
  "lease-lost": "warn",
  unrecorded: "error",
  abandoned: "error",
};

/** The flag's or environment's value, or a clear error naming where it came from. */
export function parseJobLinesMode(raw: string | undefined, what = "--job-lines"): JobLinesMode {
  if (raw === undefined || raw === "") return "all";
  const mode = raw.trim().toLowerCase();
  if ((JOB_LINES_MODES as readonly string[]).includes(mode)) return mode as JobLinesMode;
  throw new ConfigError("CONFIG_INVALID", `${what}: "${raw}" is not one of ${JOB_LINES_MODES.join(", ")}`, { hint: "e.g. --job-lines failures to quiet the finished lines" });
}

/** Generated ids (hex, uuid) are shown by their first 8 characters, as git shows commits. */
export function shortId(id: string): string {
  return id.length > 12 && /^[0-9a-f-]+$/i.test(id) ? id.slice(0, 8) : id;
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${Math.floor(ms / 60_000)} m ${Math.round((ms % 60_000) / 1000)} s`;
}

export function jobLineText(n: Pick<JobEndNote, "id" | "queue" | "method" | "ms" | "error"> & { outcome: JobEndOutcome | "abandoned" }): string {
  const error = n.error ? `  ${n.error}` : "";
  return `${LABEL[n.outcome].padEnd(9)}  ${n.queue.padEnd(8)}  ${n.method}  ${shortId(n.id)}  ${formatMs(n.ms)}${error}`;
}

export class JobLines {
  constructor(
    private readonly log: Logger,
    readonly mode: JobLinesMode,
  ) {}

  /** Lines for jobs a child reported ended. */
  ended(notes: JobEndNote[], worker: string): void {
    // one console write for the pulse's lines (the log file batches its own)
    inOneWrite(this.log, () => {
      for (const n of notes) this.print(n, worker);
    });
  }

  /** A job the supervisor ended itself (hard timeout, dead worker). */
  print(n: Omit<JobEndNote, "outcome" | "attempt"> & { outcome: JobEndOutcome | "abandoned"; attempt?: number; worker?: string }, worker = n.worker): void {
    if (this.mode === "none" || (this.mode === "failures" && n.outcome === "finished")) return;
    const fields: Record<string, FlatValue> = { kind: "job", outcome: n.outcome, jobId: n.id, queue: n.queue, task: n.method, ms: n.ms, worker };
    if (n.attempt !== undefined) fields.attempt = n.attempt;
    if (n.error) fields.error = n.error;
    if (n.frames) fields.frames = n.frames;
    const level = LEVEL[n.outcome];
    const text = jobLineText(n);
    if (!writeFlat(this.log, level, fields, text)) this.log[level](fields, text);
  }
}
