/** Reference: "hooks.py Configuration", as hooks.ts. */
import { defineHooks } from "../src/index.js";

export default defineHooks({
  scheduler_events: {
    all: ["my_app.tasks.process_queue"], // every scheduler_interval (60 s)
    hourly: ["my_app.tasks.hourly_cleanup"],
    daily: ["my_app.tasks.daily_report"], // 00:00 in `timezone`
    weekly: ["my_app.tasks.weekly_summary"], // Monday 00:00
    monthly: ["my_app.tasks.monthly_archive"], // day 1, 00:00
    cron: {
      "0 9 * * *": ["my_app.tasks.morning_task"], // every day at 9 AM
      "*/15 * * * *": ["my_app.tasks.frequent_check"], // every 15 minutes
    },
  },
  timezone: "Europe/Berlin",
});
