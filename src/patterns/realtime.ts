/**
 * Frappe's publish_realtime over Redis pub/sub. The channel of event `e` is
 * `keys.realtime(e)` = `<prefix>:realtime:<e>` (no hash tag: channels are not keys), so any
 * client can listen with `SUBSCRIBE hs:realtime:bulk_progress`; the message is the data as JSON.
 * Job progress arrives on the event "job_progress" as `{ jobId, queue, progress }`.
 *
 * Pub/sub is fire-and-forget: a listener that is not connected when a message is published
 * never sees it. Use it for live display; read durable state from the job (getJob) or the
 * events stream (`scheduler logs`).
 */
import { EnqueueError } from "../base/errors.js";
import { patternContext, type RedisTarget } from "./context.js";
import { channelHub } from "./channel-hub.js";

export interface RealtimeMeta {
  event: string;
  channel: string;
}

export type RealtimeHandler<T = unknown> = (data: T, meta: RealtimeMeta) => void | Promise<void>;

export interface SubscribeOptions extends RedisTarget {
  /** Called when a handler throws or rejects (default: ignored, so one bad handler cannot stop the others). */
  onError?: (err: unknown, meta: RealtimeMeta) => void;
}

function checkEvent(what: string, event: string): void {
  if (typeof event !== "string" || event.length === 0) {
    throw new EnqueueError("BAD_ARGUMENT", `${what}: event must be a non-empty string, got ${JSON.stringify(event)}`);
  }
}

/** Publish `data` (anything JSON can carry) to listeners of `event`; resolves to how many received it. */
export async function publishRealtime(event: string, data: unknown, target: RedisTarget = {}): Promise<number> {
  checkEvent("publishRealtime", event);
  let payload: string | undefined;
  try {
    payload = JSON.stringify(data);
  } catch (err) {
    throw new EnqueueError("BAD_ARGUMENT", `publishRealtime("${event}"): data cannot be sent as JSON: ${(err as Error).message}`);
  }
  if (payload === undefined) {
    throw new EnqueueError("BAD_ARGUMENT", `publishRealtime("${event}"): data cannot be sent as JSON (got ${typeof data})`);
  }
  const ctx = patternContext(`publishRealtime("${event}")`, target);
  return ctx.redis.publish(ctx.keys.realtime(event), payload);
}

/**
 * Call `handler` with each message published to `event` from now on. Resolves once the
 * subscription is active (a publish after that is seen), to a function that unsubscribes.
 * Every subscription of a process shares one subscriber connection.
 */
export async function subscribe<T = unknown>(event: string, handler: RealtimeHandler<T>, options: SubscribeOptions = {}): Promise<() => Promise<void>> {
  checkEvent("subscribe", event);
  const ctx = patternContext(`subscribe("${event}")`, options);
  const channel = ctx.keys.realtime(event);
  const meta: RealtimeMeta = { event, channel };
  const report = (err: unknown) => options.onError?.(err, meta);
  return channelHub(ctx.redis).listen(channel, (message) => {
    let data: unknown;
    try {
      data = JSON.parse(message);
    } catch {
      data = message; // published by something else as plain text
    }
    try {
      const out = handler(data as T, meta);
      if (out && typeof (out as Promise<void>).catch === "function") (out as Promise<void>).catch(report);
    } catch (err) {
      report(err);
    }
  });
}
