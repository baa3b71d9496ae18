/** Reference: "Queue Selection". Timeouts per queue are set in hooks.ts (`queues`). */
import { enqueue } from "../src/index.js";

export const send_email = async ({ to }: { to: string }) => `mailed ${to}`;
export const process_batch = async ({ batch }: { batch: number }) => `batch ${batch}`;
export const generate_report = async ({ month }: { month: string }) => `report ${month}`;

export async function enqueueAll() {
  await enqueue("examples.queue_selection.send_email", { queue: "short", to: "a@example.com" }); // < 5 min
  await enqueue("examples.queue_selection.process_batch", { queue: "default", batch: 1 }); // 5-30 min
  await enqueue("examples.queue_selection.generate_report", { queue: "long", month: "2026-01" }); // > 30 min
}
