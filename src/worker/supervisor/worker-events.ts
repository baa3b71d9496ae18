/**
 * Worker events for the shared events stream (`scheduler logs` reads it from any machine).
 * Writing one must never take the supervisor down: a failed write is logged and dropped.
 */
import { appendEvent, type EventLevel } from "../../log/events.js";
import { describeError } from "../../base/errors.js";
import type { QueueEnv } from "../../queue/context.js";
import type { Logger } from "../../log/logger.js";

export type WorkerEventType = "worker.up" | "worker.down" | "job.timed_out" | "child.restarted" | "child.unstable" | "task.load_failed";

export interface WorkerEventFields {
  worker?: string;
  jobId?: string;
  queue?: string;
  data?: Record<string, unknown>;
}

export class WorkerEvents {
  /** Writes not answered yet: the supervisor is done only once they are (settled()). */
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly ctx: Pick<QueueEnv, "redis" | "keys" | "clock">,
    private readonly log: Logger,
  ) {}

  emit(type: WorkerEventType, level: EventLevel, msg: string, fields: WorkerEventFields = {}): void {
    const write: Promise<void> = appendEvent(this.ctx.redis, this.ctx.keys, { type, level, at: this.ctx.clock(), msg, ...fields })
      .then(
        () => {},
        (err: unknown) => {
          this.log.debug({ type, err: describeError(err) }, "could not write worker event");
        },
      )
      .finally(() => this.pending.delete(write));
    this.pending.add(write);
  }

  /** Resolves once every event emitted so far is written (or failed), at most `maxMs` later. */
  async settled(maxMs = 2000): Promise<void> {
    if (this.pending.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.pending]), new Promise((r) => (timer = setTimeout(r, maxMs)))]);
    clearTimeout(timer);
  }
}
