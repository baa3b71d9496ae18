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

/** A generated id: hex digits and dashes (a uuid). */
const HEX_ID = /^[0-9a-fA-F-]*$/;

/** Generated ids (hex, uuid) are shown by their first 8 characters, as git shows commits. */
export function shortId(id: string): string {
  // one compiled pattern, cheaper than a scan in JS (bench/README.md, issue 14): this runs per job line
  return id.length > 12 && HEX_ID.test(id) ? id.slice(0, 8) : id;
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

/**
 * A finished line's fixed parts, between the values that change. A line is a rope of the pieces
 * it is joined from, and every output's write walks them: the fast path (`fast`, when no field of
 * the line is redacted and the text holds nothing a URL mask could touch) joins the fewest.
 */
interface Template {
  /** `,"kind":"job","outcome":"finished","jobId":` (or the redacted pair: then no id follows). */
  beforeId: string;
  idShown: boolean;
  beforeMs: string;
  msShown: boolean;
  beforeAttempt: string;
  attemptShown: boolean;
  text: string;
  fast: boolean;
  /** `,"kind":"job","outcome":"finished","jobId":"` (fast path: the id's opening quote included). */
  toId: string;
  /** `","queue":"...","task":"...","ms":`. */
  idToMs: string;
  /** Per small attempt: `,"worker":"...","attempt":N,"msg":"finished   queue   task  `. */
  msToText: string[];
}

/** Small whole numbers (the ms of most no-op and short jobs, attempts) as text, made once. */
const SMALL = 1000;
const smallNumbers = Array.from({ length: SMALL }, (_, i) => String(i));
const small = (v: number): boolean => Number.isInteger(v) && v >= 0 && v < SMALL;

/**
 * An id that goes into the fast path as it is: nothing to escape in JSON and no `://` or `=`
 * (which the URL mask looks for); -1 if not, else 1 when it is a generated id (shown by its first
 * 8 characters: shortId) and 0 otherwise.
 */
function plainId(id: string): number {
  if (HEX_ID.test(id)) return 1;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c < 32 || c === 34 || c === 92 || c === 61 || (c >= 0xd800 && c <= 0xdfff)) return -1;
    if (c === 58 && id.charCodeAt(i + 1) === 47 && id.charCodeAt(i + 2) === 47) return -1;
  }
  return 0;
}

/** Text the URL mask cannot change, whatever stands beside it after a space. */
const maskFree = (v: string): boolean => !v.includes("://") && !v.includes("=");

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
    if (t?.fast && small(attempt)) {
      const kind = plainId(id);
      if (kind >= 0) return { level: n, text: this.fastLine(n, t, id, kind === 1 && id.length > 12 ? id.slice(0, 8) : id, attempt, ms) };
    }
    if (!t || typeof attempt !== "number") return this.line({ id, queue, method, attempt: typeof attempt === "number" ? attempt : undefined, ms, outcome: "finished" }, worker);
    let text = this.out.head(n) + t.beforeId;
    if (t.idShown) text += str(id);
    text += t.beforeMs;
    if (t.msShown) text += num(ms);
    text += t.beforeAttempt;
    if (t.attemptShown) text += num(attempt);
    return { level: n, text: text + this.out.tail(`${t.text}${shortId(id)}  ${formatMs(ms)}`) };
  }

  /** `  12 ms"}` and the line end, per small ms (most jobs'), made once. */
  private msTails: string[] = [];

  /** The same line as the template's general path, from fewer pieces (see Template). */
  private fastLine(n: number, t: Template, id: string, shown: string, attempt: number, ms: number): string {
    const msgStart = (t.msToText[attempt] ??= `${t.beforeAttempt}${smallNumbers[attempt]!}${this.out.msgKey()}"${t.text}`);
    const msText = small(ms) ? (this.msTails[ms] ??= this.msTail(ms)) : this.msTail(ms);
    return this.out.head(n) + t.toId + id + t.idToMs + (small(ms) ? smallNumbers[ms]! : num(ms)) + msgStart + shown + msText;
  }

  private msTail(ms: number): string {
    return `  ${formatMs(ms)}"${this.out.lineEnd()}`;
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
      const text = textStart("finished", queue, method);
      if (plain(queue) && plain(method) && plain(worker) && plain(text)) {
        const beforeId = f("kind", "job") + f("outcome", "finished") + this.out.key(list, "jobId");
        const beforeMs = f("queue", queue) + f("task", method) + this.out.key(list, "ms");
        const idShown = shown("jobId");
        const msShown = shown("ms");
        const attemptShown = shown("attempt");
        t = {
          beforeId,
          idShown,
          beforeMs,
          msShown,
          beforeAttempt: f("worker", worker) + this.out.key(list, "attempt"),
          attemptShown,
          text,
          fast: idShown && msShown && attemptShown && maskFree(text),
          toId: `${beforeId}"`,
          idToMs: `"${beforeMs}`,
          msToText: [],
        };
      } else t = null; // a value that would need escaping or masking takes the general path (line())
      if (byKey.size < MAX_TEMPLATES) byKey.set(key, t);
    }
    return t;
  }
}
