/** Reference: "With Options". Same names as frappe.enqueue, in camelCase (snake_case works too). */
import { enqueue } from "../src/index.js";

export function processData() {
  return enqueue("examples.enqueue_options.process_data", {
    queue: "long", // short, default, long, or your own
    timeout: 600, // seconds; past it the job is stopped, even if it blocks the event loop
    jobId: "process-data-123", // with deduplicate: no second job while this one is queued or running
    deduplicate: true,
    atFront: false,
    enqueueAfterCommit: true, // inside transaction() or a running job: pushed only if it succeeds
    // isAsync: false / now: true would run it here and return its result
    dataId: "123", // kwargs
    option: "value",
  });
}

export async function process_data({ dataId, option }: { dataId: string; option: string }) {
  return { dataId, option };
}
