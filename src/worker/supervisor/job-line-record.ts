/**
 * The record of one job line (job-lines.ts prints them): its text, its fields, and the JSON line
 * the daemon's logger would write for it (log/flat-record.ts), made without pino's per-record
 * walk. A finished job's line, the one printed per job on a busy worker, comes from a template
 * per queue, task and worker: only the id, time, duration and attempt change from one to the next.
 */
import type { JobEndNote, JobEndOutcome } from "../protocol.js";
import { num, quote, str, type FlatLevel, type FlatLine, type FlatOutput, type FlatValue } from "../../log/flat-record.js";
import { redactUrlsIn } from "../../security/redact-url.js";

export type LineOutcome = JobEndOutcome | "abandoned";

/** The label printed for each outcome (fixed width in the line). */
const LABEL: Record<LineOutcome, string> = {
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

export const LINE_LEVEL: Record<LineOutcome, FlatLevel> = {
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

/** What a line shows of an ended job. */
export type LineNote = Omit<JobEndNote, "outcome" | "attempt" | "at"> & { outcome: LineOutcome; attempt?: number };

/** Generated ids (hex, uuid) are shown by their first 8 characters, as git shows commits. */
export function shortId(id: string): string {
  if (id.length <= 12) return id;
  // a scan, not a regular expression: this runs per job line
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70) || c === 45)) return id;
  }
  return id.slice(0, 8);
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${Math.floor(ms / 60_000)} m ${Math.round((ms % 60_000) / 1000)} s`;
}

const textStart = (outcome: LineOutcome, queue: string, method: string): string => `${LABEL[outcome].padEnd(9)}  ${queue.padEnd(8)}  ${method}  `;

export function jobLineText(n: Pick<LineNote, "id" | "queue" | "method" | "ms" | "error" | "outcome">): string {
  const error = n.error ? `  ${n.error}` : "";
  return `${textStart(n.outcome, n.queue, n.method)}${shortId(n.id)}  ${formatMs(n.ms)}${error}`;
}

/** The fields of a job line's record, in the order the line has them. */
export function jobLineFields(n: LineNote, worker: string | undefined): Record<string, FlatValue> {
  const fields: Record<string, FlatValue> = { kind: "job", outcome: n.outcome, jobId: n.id, queue: n.queue, task: n.method, ms: n.ms, worker };
  if (n.attempt !== undefined) fields.attempt = n.attempt;
  if (n.error) fields.error = n.error;
  if (n.frames) fields.frames = n.frames;
  return fields;
}

/** A finished line's fixed parts, between the values that change. */
interface Template {
  /** `,"kind":"job","outcome":"finished","jobId":` (or the redacted pair: then no id follows). */
  beforeId: string;
  idShown: boolean;
  beforeMs: string;
  msShown: boolean;
  beforeAttempt: string;
  attemptShown: boolean;
  text: string;
}

/** Strings that go into a template as they are: nothing to escape or mask in them. */
const plain = (v: string): boolean => quote(v).length === v.length + 2 && redactUrlsIn(v) === v;

const MAX_TEMPLATES = 1024;

export class JobLineRecords {
  /** Per redaction list (hooks may change it), then per queue, task and worker. */
  private templates = new WeakMap<readonly string[], Map<string, Template | null>>();

  constructor(readonly out: FlatOutput) {}

  /** The lines, one write per output (flat-record.ts). */
  write(lines: readonly FlatLine[]): void {
    this.out.write(lines);
  }

  /** A finished job's line, or undefined when its logger writes nothing at info. */
  finished(id: string, queue: string, method: string, attempt: number, ms: number, worker: string): FlatLine | undefined {
    const n = this.out.levelOf("info");
    if (n === undefined) return undefined;
    const t = this.template(queue, method, worker);
    if (!t || typeof attempt !== "number") return this.line({ id, queue, method, attempt: typeof attempt === "number" ? attempt : undefined, ms, outcome: "finished" }, worker);
    let text = this.out.head(n) + t.beforeId;
    if (t.idShown) text += str(id);
    text += t.beforeMs;
    if (t.msShown) text += num(ms);
    text += t.beforeAttempt;
    if (t.attemptShown) text += num(attempt);
    return { level: n, text: text + this.out.tail(`${t.text}${shortId(id)}  ${formatMs(ms)}`) };
  }

  /** Any job line, from its fields; undefined under the logger's level. */
  line(n: LineNote, worker: string | undefined): FlatLine | undefined {
    const level = this.out.levelOf(LINE_LEVEL[n.outcome]);
    return level === undefined ? undefined : { level, text: this.out.line(level, jobLineFields(n, worker), jobLineText(n)) };
  }

  /** The last template used and what it was for: a pulse's jobs mostly share one. */
  private last: { list: readonly string[]; queue: string; method: string; worker: string; t: Template | null } | undefined;

  private template(queue: string, method: string, worker: string): Template | null {
    const list = this.out.keys();
    const last = this.last;
    if (last && last.list === list && last.queue === queue && last.method === method && last.worker === worker) return last.t;
    const t = this.lookUp(list, queue, method, worker);
    this.last = { list, queue, method, worker, t };
    return t;
  }

  private lookUp(list: readonly string[], queue: string, method: string, worker: string): Template | null {
    let byKey = this.templates.get(list);
    if (!byKey) this.templates.set(list, (byKey = new Map()));
    const key = `${queue}\n${method}\n${worker}`;
    let t = byKey.get(key);
    if (t === undefined) {
      const f = (k: string, v: FlatValue) => this.out.field(list, k, v);
      const shown = (k: string) => !this.out.redacted(list, k);
      // a value that would need escaping or masking takes the general path (line())
      t = plain(queue) && plain(method) && plain(worker) && plain(textStart("finished", queue, method))
        ? {
            beforeId: f("kind", "job") + f("outcome", "finished") + this.out.key(list, "jobId"),
            idShown: shown("jobId"),
            beforeMs: f("queue", queue) + f("task", method) + this.out.key(list, "ms"),
            msShown: shown("ms"),
            beforeAttempt: f("worker", worker) + this.out.key(list, "attempt"),
            attemptShown: shown("attempt"),
            text: textStart("finished", queue, method),
          }
        : null;
      if (byKey.size < MAX_TEMPLATES) byKey.set(key, t);
    }
    return t;
  }
}
