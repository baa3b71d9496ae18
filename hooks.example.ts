/**
 * An annotated example hooks file. Run it with `npm start` (= scheduler start --hooks
 * hooks.example.ts), check it with `scheduler doctor --hooks hooks.example.ts`.
 *
 * In your own app this file is `hooks.ts` next to your app folders; it is found without
 * --hooks, and loaded as TypeScript with no build step.
 */
import { defineHooks } from "hooks-scheduler";

export default defineHooks({
  // Event name -> dotted paths. `example_app.tasks.daily_report` is the export `daily_report`
  // of example_app/tasks.ts (or tasks/index.ts), under the app root (this file's folder).
  scheduler_events: {
    // Every scheduler_interval seconds (60 unless set below).
    all: ["example_app.tasks.process_queue"],
    // Minute 0 of every hour.
    hourly: ["example_app.tasks.hourly_cleanup"],
    // 00:00 in `timezone`. An entry may be an object to set the queue, timeout, kwargs...
    daily: [{ method: "example_app.tasks.daily_report", queue: "reports", kwargs: { recipients: ["ops@example.com"] } }],
    // Monday 00:00 (Frappe uses Sunday: set event_expressions: { weekly: "0 0 * * 0" }).
    weekly: ["example_app.tasks.weekly_summary"],
    // Day 1 of the month, 00:00.
    monthly: ["example_app.tasks.monthly_archive"],
    // Same time as daily, but on the "long" queue (longer timeout).
    daily_long: ["example_app.tasks.rebuild_search_index"],
    // Cron expression -> dotted paths. 5 fields, or 6 with seconds first.
    cron: {
      // Every 20 seconds: you will see this one fire right after `npm start`.
      "*/20 * * * * *": ["example_app.tasks.heartbeat"],
      // Weekdays at 09:00; kwargs go to the task; jitter spreads the start by up to 30 s.
      "0 9 * * 1-5": [{ method: "example_app.tasks.morning_digest", kwargs: { team: "ops" }, jitter: 30 }],
      // Every 2 minutes: a task reporting progress, and one that chains a follow-up job.
      "*/2 * * * *": ["example_app.tasks.import_items", "example_app.tasks.start_pipeline"],
      // Every 10 minutes: a task that always fails, to see failures and retries: each run is
      // tried again 30 s and then 60 s after it fails (exponential backoff), then fails for good.
      // Missed runs after downtime are not caught up ("latest", one run, is the default).
      "*/10 * * * *": [{ method: "example_app.tasks.flaky_sync", catchup: "none", retry: { max: 2, backoff: "exponential", delay: 30 } }],
    },
  },

  // Cron is evaluated in this IANA zone; the default is the machine's zone.
  // timezone: "Europe/Berlin",

  // Seconds between runs of the `all` event.
  scheduler_interval: 60,

  // A 6-field cron has its seconds first here ("*/20 * * * * *" above); Frappe (croniter) puts
  // them last: write "last" for crons copied from a Frappe app. Saying it also silences the
  // warning `doctor` and `start` give for a 6-field cron that reads differently the other way.
  cron_seconds: "first",

  // Frappe's short/default/long plus a custom queue. timeout in seconds; workers = processes
  // `scheduler start` runs for the queue; concurrency = jobs one worker runs at once; retry =
  // the retries of the queue's jobs that set none (a number, or { max, backoff, delay }).
  queues: {
    short: { timeout: 300 },
    default: { timeout: 300 },
    long: { timeout: 1500 },
    reports: { timeout: 120, workers: 1, concurrency: 2, retry: 1 },
  },
});
