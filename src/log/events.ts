/**
 * Logs as data: every notable event goes to one capped Redis stream, so `scheduler logs` works
 * from any machine that reaches Redis. Writers call `appendEvent`; the reader lives beside it.
 */
import type { Redis, ChainableCommander } from "ioredis";
import type { Keys } from "../redis/keys.js";
import type { EventType } from "./event-types.js";
import { redactActive, redactMessage } from "../security/redact-config.js";

export type EventLevel = "debug" | "info" | "warn" | "error";

export interface SchedulerEvent {
  /** One of the catalog (event-types.ts): job.enqueued, job.started, job.finished, worker.up, ... */
  type: EventType;
  level: EventLevel;
  /** ms since epoch, from the caller's clock. */
  at: number;
  msg: string;
  jobId?: string;
  queue?: string;
  task?: string;
  worker?: string;
  data?: Record<string, unknown>;
}

/** Roughly this many entries are kept (XADD MAXLEN ~): bounded memory, a few hours of history. */
export const EVENTS_MAXLEN = 10_000;

/** Secrets masked on the way in: the stream is read from any machine (src/security/redact.ts). */
function fields(event: SchedulerEvent): string[] {
  const safe = event.data === undefined ? { ...event, msg: redactMessage(event.msg) } : { ...event, msg: redactMessage(event.msg), data: redactActive(event.data) };
  return ["e", JSON.stringify(safe)];
}

export async function appendEvent(redis: Redis, keys: Keys, event: SchedulerEvent): Promise<void> {
  await redis.xadd(keys.events(), "MAXLEN", "~", EVENTS_MAXLEN, "*", ...fields(event));
}

/** Same, queued on a pipeline or MULTI so it lands with the state change it describes. */
export function pipeEvent(pipe: ChainableCommander, keys: Keys, event: SchedulerEvent): ChainableCommander {
  return pipe.xadd(keys.events(), "MAXLEN", "~", EVENTS_MAXLEN, "*", ...fields(event));
}
