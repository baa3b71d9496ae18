/**
 * The daemon's line per job outcome, as `rq worker` and `celery worker` print them:
 *
 *   finished   default  my_app.tasks.send_invoices  8f3a1b2c  12 ms
 *   failed     default  my_app.tasks.flaky_sync     1c9e0d44  3 ms  Error: upstream said 503
 *       at flaky_sync (my_app/tasks.ts:12:9)
 *
 * Each is one log record (kind "job") of the supervisor's logger: JSON in the log file and
 * on a non-terminal, one human line on a terminal (console-format.ts adds the time and zone).
 * A logger made by createLogger gets the records of one pulse written directly, in one write
 * per output (job-line-record.ts makes them, log/flat-record.ts writes them: the lines pino
 * would write, without its per-record walk); any other logger is called as usual.
 * Outcomes that end in the child come with its pulses (finished jobs in a compact list, the
 * others as notes: job-end-note.ts); timeouts and deaths, which the supervisor handles itself,
 * are reported by it (exit-handling.ts).
 */
import { ConfigError } from "../../base/errors.js";
import { FINISHED_LINE_WIDTH, JOB_LINES_MODES, type JobEndNote, type JobLinesMode } from "../protocol.js";
import type { Logger } from "../../log/logger.js";
import { flatOutput, type FlatLine } from "../../log/flat-record.js";
import { JobLineRecords, LINE_LEVEL, jobLineFields, jobLineText, type LineNote } from "./job-line-record.js";
export type { JobLinesMode } from "../protocol.js";
export { formatMs, jobLineText, shortId } from "./job-line-record.js";

/** The flag's or environment's value, or a clear error naming where it came from. */
export function parseJobLinesMode(raw: string | undefined, what = "--job-lines"): JobLinesMode {
  if (raw === undefined || raw === "") return "all";
  const mode = raw.trim().toLowerCase();
  if ((JOB_LINES_MODES as readonly string[]).includes(mode)) return mode as JobLinesMode;
  throw new ConfigError("CONFIG_INVALID", `${what}: "${raw}" is not one of ${JOB_LINES_MODES.join(", ")}`, { hint: "e.g. --job-lines failures to quiet the finished lines" });
}

export class JobLines {
  private records: JobLineRecords | undefined;

  constructor(
    private readonly log: Logger,
    readonly mode: JobLinesMode,
  ) {}

  /** Lines for jobs a child reported ended: its finished ones (compact, see protocol.ts), then the others. */
  ended(notes: readonly JobEndNote[], worker: string, finishedLines: ReadonlyArray<string | number> = []): void {
    const records = this.flat();
    const lines: FlatLine[] = [];
    if (this.mode === "all") {
      for (let i = 0; i + FINISHED_LINE_WIDTH <= finishedLines.length; i += FINISHED_LINE_WIDTH) {
        const id = finishedLines[i] as string;
        const queue = finishedLines[i + 1] as string;
        const method = finishedLines[i + 2] as string;
        const attempt = finishedLines[i + 3] as number;
        const ms = finishedLines[i + 4] as number;
        if (records) {
          const line = records.finished(id, queue, method, attempt, ms, worker);
          if (line) lines.push(line);
        } else this.print({ id, queue, method, attempt, ms, outcome: "finished" }, worker);
      }
    }
    for (const n of notes) {
      if (!this.shows(n.outcome)) continue;
      if (records) {
        const line = records.line(n, worker);
        if (line) lines.push(line);
      } else this.print(n, worker);
    }
    if (records && lines.length > 0) records.write(lines);
  }

  /** A job the supervisor ended itself (hard timeout, dead worker). */
  print(n: LineNote & { worker?: string }, worker = n.worker): void {
    if (!this.shows(n.outcome)) return;
    const records = this.flat();
    if (records) {
      const line = records.line(n, worker);
      if (line) records.write([line]);
      return;
    }
    this.log[LINE_LEVEL[n.outcome]](jobLineFields(n, worker), jobLineText(n));
  }

  private shows(outcome: LineNote["outcome"]): boolean {
    return this.mode === "all" || (this.mode === "failures" && outcome !== "finished");
  }

  /** The flat path of the logger, when it has one now (an output added later may take it away). */
  private flat(): JobLineRecords | undefined {
    const out = flatOutput(this.log);
    if (!out) return undefined;
    if (this.records?.out !== out) this.records = new JobLineRecords(out);
    return this.records;
  }
}
