/** Reference: "Job Progress". Stored on the job, logged, and published on "job_progress". */
import { currentJob, publishProgress } from "../src/index.js";

export async function long_running_job({ items }: { items: string[] }) {
  const total = items.length;
  const jobId = currentJob()?.id; // frappe.local.job.id
  for (let i = 0; i < total; i++) {
    // process_item(items[i])
    await publishProgress({ percent: ((i + 1) / total) * 100, title: "Processing Items", description: `Processing ${i + 1} of ${total}` });
  }
  return { jobId, processed: total };
}
