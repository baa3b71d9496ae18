/**
 * A daemon started while Redis is down waits for it, saying so once in a while, instead of
 * exiting (a crash loop under systemd hides the reason and hammers the server when it returns).
 */
import type { Redis } from "ioredis";
import { connectRedis, redactUrl } from "../redis/connection.js";
import { describeError } from "../base/errors.js";
import type { Logger } from "../log/logger.js";

export type WaitLogger = Pick<Logger, "info" | "warn">;

/** Connect, retrying with a capped backoff until it works or `signal` aborts. */
export async function waitForRedis(url: string, log: WaitLogger, signal: AbortSignal, connectionName: string): Promise<Redis | undefined> {
  let delay = 250;
  let attempts = 0;
  for (;;) {
    try {
      const redis = await connectRedis(url, { connectionName, signal });
      if (attempts > 0) log.info(`Redis at ${redactUrl(url)} answers again after ${attempts} failed attempt(s)`);
      return redis;
    } catch (err) {
      if (signal.aborted) return undefined;
      attempts++;
      // First failure, then every tenth: enough to see why, not a line per retry.
      if (attempts === 1 || attempts % 10 === 0) log.warn(`${describeError(err)}; retrying every ${Math.round(delay / 1000) || 1} s (Ctrl-C to stop)`);
      if (signal.aborted) return undefined;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        signal.addEventListener("abort", () => { clearTimeout(t); resolve(); }, { once: true });
      });
      if (signal.aborted) return undefined;
      delay = Math.min(delay * 2, 5000);
    }
  }
}
