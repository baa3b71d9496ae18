/** Reference: "Job Statistics". Every queue in one pipeline; `scheduler status` shows the same. */
import { getQueueStats } from "../src/index.js";

export async function get_queue_stats() {
  const stats = await getQueueStats(); // { short: { pending, started, failed, scheduled, finished, canceled }, ... }
  return Object.fromEntries(Object.entries(stats).map(([q, s]) => [q, { pending: s.pending, failed: s.failed, scheduled: s.scheduled }]));
}
