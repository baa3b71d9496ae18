/**
 * The example app's tasks: each is an exported function of one plain-object argument (the
 * kwargs), sync or async, named by a dotted path such as `example_app.tasks.daily_report`.
 * All are small and fast, with no network, so `npm start` shows them run on a laptop.
 */
import { currentJob, enqueue, publishProgress } from "hooks-scheduler";
import { fakeRecords, pause, say, summarize } from "./lib/report.js";

/** `all`: every scheduler_interval seconds. */
export function process_queue(): { processed: number } {
  const processed = fakeRecords("msg", 3).length;
  say("process_queue", `processed ${processed} pending messages`);
  return { processed };
}

/** `hourly`. */
export async function hourly_cleanup(): Promise<{ removed: number }> {
  await pause(10);
  say("hourly_cleanup", "removed 0 expired sessions");
  return { removed: 0 };
}

/** `daily`, on the custom "reports" queue (see hooks.example.ts). */
export function daily_report({ recipients = ["ops@example.com"] }: { recipients?: string[] } = {}): { count: number; checksum: number } {
  const summary = summarize(fakeRecords("order", 25));
  say("daily_report", `${summary.count} orders, checksum ${summary.checksum}, for ${recipients.join(", ")}`);
  return summary;
}

/** `weekly` (Monday 00:00). */
export function weekly_summary(): string {
  const line = `week of ${summarize(fakeRecords("day", 7)).count} days summarized`;
  say("weekly_summary", line);
  return line;
}

/** `monthly` (day 1, 00:00). */
export async function monthly_archive(): Promise<{ archived: number }> {
  await pause(20);
  say("monthly_archive", "archived 30 daily reports");
  return { archived: 30 };
}

/** `daily_long`: same time as daily, on the "long" queue (timeout 1500 s by default). */
export async function rebuild_search_index(): Promise<{ documents: number }> {
  const docs = fakeRecords("doc", 200);
  for (let i = 0; i < docs.length; i += 50) await pause(5);
  say("rebuild_search_index", `indexed ${docs.length} documents`);
  return { documents: docs.length };
}

// cron "*/20 * * * * *" (six fields, seconds first): fires every 20 s, so a newcomer sees it at once.
export function heartbeat(): string {
  const line = "still alive";
  say("heartbeat", line);
  return line;
}

/** cron `0 9 * * 1-5` with kwargs from the hooks entry. */
export function morning_digest({ team }: { team: string }): string {
  const line = `good morning, ${team}`;
  say("morning_digest", line);
  return line;
}

/** Reports progress while it works: `scheduler jobs show ID` displays the percentage. */
export async function import_items({ total = 20 }: { total?: number } = {}): Promise<{ imported: number }> {
  const items = fakeRecords("item", total);
  const job = currentJob();
  if (job) say("import_items", `job ${job.id}, attempt ${job.attempt}`);
  for (let i = 0; i < items.length; i++) {
    await pause(50);
    const percent = Math.round(((i + 1) / items.length) * 100);
    // Outside a job (e.g. called directly) this resolves false and does nothing.
    await publishProgress({ percent, title: "Importing items", description: `${i + 1} of ${items.length}` });
    if ((i + 1) % 5 === 0) say("import_items", `${percent}% (${i + 1} of ${items.length})`);
  }
  return { imported: items.length };
}

/** Always fails: shows a failed job, its retries and the error in `scheduler jobs --status failed`. */
export function flaky_sync({ endpoint = "inventory" }: { endpoint?: string } = {}): never {
  throw new Error(`sync with "${endpoint}" failed: the example upstream is always down`);
}

/** Enqueues a follow-up job (job chaining, as in Frappe's reference). */
export async function start_pipeline({ batch = "b-1" }: { batch?: string } = {}): Promise<{ next: string }> {
  const result = summarize(fakeRecords(batch, 10));
  // The dotted path (or the task function itself) and its kwargs; with enqueueAfterCommit the
  // follow-up is pushed only if this job succeeds.
  const next = await enqueue("example_app.tasks.finish_pipeline", { batch, checksum: result.checksum, enqueueAfterCommit: true });
  say("start_pipeline", `step 1 done for ${batch}; follow-up job ${next.id}`);
  return { next: "example_app.tasks.finish_pipeline" };
}

/** The follow-up step start_pipeline enqueues. */
export function finish_pipeline({ batch, checksum }: { batch: string; checksum: number }): string {
  const line = `step 2 done for ${batch} (checksum ${checksum})`;
  say("finish_pipeline", line);
  return line;
}
