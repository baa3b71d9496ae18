/**
 * Reference: "Custom Queues". Usually you just give the queue workers in hooks.ts
 * (`queues: { my_custom_queue: { timeout: 60, workers: 2 } }`); draining it by hand from a
 * scheduled task works too, as in the reference.
 */
import { getQueue } from "../src/index.js";

// hooks.ts: scheduler_events: { all: ["examples.custom_queue.process_custom_queue"] }
export async function process_custom_queue() {
  const job = await getQueue("my_custom_queue").dequeue();
  if (job) await job.perform(); // runs it here, records finished/failed, retries as configured
  return job?.id ?? null;
}
