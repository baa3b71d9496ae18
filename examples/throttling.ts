/**
 * Reference: "Throttled Processing". throttle() schedules item i at start + i * interval, so
 * per-item overshoot does not accumulate (the reference's sleep(interval - elapsed) drifts).
 * For a limit across every worker and host, set it on the queue in hooks.ts instead:
 *   queues: { mail: { timeout: 60, rateLimit: { max: 100, per: 60 } } }   // 100 jobs a minute
 */
import { throttle } from "../src/index.js";

export async function throttled_job({ items, ratePerMinute = 60 }: { items: string[]; ratePerMinute?: number }) {
  return throttle(items, { perMinute: ratePerMinute }, async (item) => {
    return item.toUpperCase(); // process_item(item)
  });
}
