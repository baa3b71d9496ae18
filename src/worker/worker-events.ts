/**
 * Worker events for the shared events stream (`scheduler logs` reads it from any machine).
 * Writing one must never take the supervisor down: a failed write is logged and dropped.
 */
import { appendEvent, type EventLevel } from "../log/events.js";
import { describeError } from "../errors.js";
import type { QueueContext } from "../queue/types.js";
import type { Logger } from "./types.js";

export type WorkerEventType = "worker.up" | "worker.down" | "job.timeout" | "child.restart" | "child.unstable" | "task.load_failed";

export interface WorkerEventFields {
  worker?: string;
  jobId?: string;
  queue?: string;
  data?: Record<string, unknown>;
}

export class WorkerEvents {
  constructor(
    private readonly ctx: QueueContext,
    private readonly log: Logger,
  ) {}

  emit(type: WorkerEventType, level: EventLevel, msg: string, fields: WorkerEventFields = {}): void {
    appendEvent(this.ctx.redis, this.ctx.keys, { type, level, at: this.ctx.clock(), msg, ...fields }).catch((err: unknown) => {
      this.log.debug({ type, err: describeError(err) }, "could not write worker event");
    });
  }
}
