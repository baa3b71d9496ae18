/**
 * The tasks scheduled_jobs.hooks.ts names (`my_app.tasks.*` under this folder), so that file runs
 * as written: `scheduler trigger daily --hooks examples/scheduled_jobs.hooks.ts`, then
 * `scheduler worker --burst --hooks examples/scheduled_jobs.hooks.ts`. Each says what it would do.
 */
import { currentJob } from "../../src/index.js";

/** What a scheduled run knows about itself: the slot it was enqueued for, and if it is a catch-up. */
function run(what: string) {
  const job = currentJob();
  return { did: what, slot: job?.scheduledFor ?? null, catchup: job?.catchup ?? false };
}

export const process_queue = async () => run("processed the queue"); // all: every 60 s
export const hourly_cleanup = async () => run("cleaned up"); // hourly
export const daily_report = async () => run("sent the daily report"); // daily, 00:00
export const weekly_summary = async () => run("sent the weekly summary"); // weekly, Monday
export const monthly_archive = async () => run("archived the month"); // monthly, day 1
export const morning_task = async () => run("ran the 9 AM task"); // cron "0 9 * * *"
export const frequent_check = async () => run("checked"); // cron "*/15 * * * *"
