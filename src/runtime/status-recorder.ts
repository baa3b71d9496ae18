/**
 * currentJob().setStatus(): the reference's "Job Status Tracking" (a record with total,
 * processed and status, updated as a long run goes) kept on the job hash instead of a DocType.
 *
 * A task may call it on every item of a tight loop, so writes are throttled here, client-side:
 * at most one write per STATUS_WRITE_INTERVAL_MS (the latest value wins; values in between are
 * dropped, not queued), a job.status event at most once per STATUS_EVENT_INTERVAL_MS, and the
 * last value is always written when the job ends (flush). Time comes from the injected Clock.
 */
import type { Clock } from "../base/clock.js";
import { EnqueueError } from "../base/errors.js";
import { jsonProblem } from "../base/json-safe.js";
import { limits } from "../config/limits.js";
import { runJobScript } from "../queue/job-scripts.js";
import { scriptResult } from "../redis/script-results.js";
import type { StatusRecord } from "../queue/types.js";
import type { QueueEnv } from "../queue/context.js";

/** At most ~5 writes a second per job. */
export const STATUS_WRITE_INTERVAL_MS = 200;
/** At most one job.status event a second per job. */
export const STATUS_EVENT_INTERVAL_MS = 1000;
/** A status record is a summary, not a result: refuse larger ones. */
export const STATUS_MAX_BYTES = 16 * 1024;

export interface StatusInput {
  total?: number;
  processed?: number;
  /** Free text, e.g. "In Progress". */
  status?: string;
  /** Anything else worth showing; must survive JSON. */
  [extra: string]: unknown;
}

/** Writes one record (one HSET in status.lua); resolves true when stored. */
export type StatusWriter = (record: StatusRecord, withEvent: boolean) => Promise<boolean>;

/** The real writer: status.lua stores the record on a started job (and maybe a job.status event), on the job's tag. */
export function scriptStatusWriter(ctx: Pick<QueueEnv, "redis" | "keys" | "clock">, jobId: string, tag: string = ctx.keys.root): StatusWriter {
  return async (record, withEvent) => scriptResult.status(await runJobScript(ctx, "status", [jobId, JSON.stringify(record), withEvent ? "1" : "0"], [], tag));
}

function bad(message: string): never {
  throw new EnqueueError("BAD_STATUS", `setStatus: ${message}`);
}

/** The record to store, or a clear error naming the bad field. */
export function statusRecord(input: StatusInput, now: number): StatusRecord {
  if (typeof input !== "object" || input === null || Array.isArray(input)) bad("pass an object like { total, processed, status }");
  for (const k of ["total", "processed"] as const) {
    const v = input[k];
    if (v !== undefined && (typeof v !== "number" || !Number.isFinite(v) || v < 0)) bad(`${k} must be a number >= 0, got ${JSON.stringify(v)}`);
  }
  if (input.status !== undefined && typeof input.status !== "string") bad(`status must be a string, got ${JSON.stringify(input.status)}`);
  const problem = jsonProblem(input, "status record", limits().kwargsDepth);
  if (problem) bad(problem);
  const record: StatusRecord = { ...input, updatedAt: now };
  const size = Buffer.byteLength(JSON.stringify(record));
  if (size > STATUS_MAX_BYTES) bad(`the record is ${size} bytes; keep it under ${STATUS_MAX_BYTES} (store large data elsewhere)`);
  return record;
}

export class StatusRecorder {
  /** Writes sent so far (for tests and metrics). */
  writes = 0;
  private pending: StatusRecord | undefined;
  private lastWriteAt = -Infinity;
  private lastEventAt = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly write: StatusWriter,
  ) {}

  /**
   * Record a new status. Written at once when the last write is STATUS_WRITE_INTERVAL_MS old
   * (the promise then settles with that write), otherwise kept as the pending value and written
   * by a timer or at the end of the job (the promise resolves at once). Ignored once ended.
   */
  set(input: StatusInput): Promise<void> {
    const now = this.clock();
    const record = statusRecord(input, now);
    if (this.closed) return Promise.resolve();
    this.pending = record;
    if (now - this.lastWriteAt >= STATUS_WRITE_INTERVAL_MS) return this.writePending(now);
    this.arm(STATUS_WRITE_INTERVAL_MS - (now - this.lastWriteAt));
    return Promise.resolve();
  }

  /** The job ended: write the pending value (if any), stop the timer, wait for every write. */
  async flush(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending) await this.writePending(this.clock()).catch(() => undefined);
    await this.chain;
  }

  private writePending(now: number): Promise<void> {
    const record = this.pending!;
    this.pending = undefined;
    this.lastWriteAt = now;
    const withEvent = now - this.lastEventAt >= STATUS_EVENT_INTERVAL_MS;
    if (withEvent) this.lastEventAt = now;
    this.writes++;
    // Serialized, so Redis always ends with the newest record.
    const done = this.chain.then(() => this.write(record, withEvent)).then(() => undefined);
    this.chain = done.catch(() => undefined);
    return done;
  }

  /** Write the pending value once the interval passed, by the clock (re-armed until then). */
  private arm(delayMs: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.closed || !this.pending) return;
      const now = this.clock();
      const wait = STATUS_WRITE_INTERVAL_MS - (now - this.lastWriteAt);
      if (wait > 0) this.arm(wait);
      // A failed background write is dropped (the record is advisory); the next set() writes anew.
      else this.writePending(now).catch(() => undefined);
    }, Math.max(20, delayMs));
    this.timer.unref();
  }
}
