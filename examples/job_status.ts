/**
 * Reference: "Job Status Tracking". No separate status record to keep in sync: the job is the
 * record (status, attempt, started/ended times, progress, result or error).
 * From the shell: `scheduler jobs show <id>`.
 */
import { getJob } from "../src/index.js";

export async function jobStatus(id: string) {
  const job = await getJob(id);
  if (!job) return null; // unknown, or removed after its retention time
  return {
    status: job.status, // queued | scheduled | started | finished | failed | canceled
    percent: job.progress?.percent ?? (job.status === "finished" ? 100 : 0),
    description: job.progress?.description,
    startedAt: job.startedAt,
    endedAt: job.endedAt,
    error: job.error?.message,
  };
}
