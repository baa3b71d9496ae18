/**
 * Every command's name, one-line summary and examples, with no imports: `scheduler -V`,
 * `scheduler --help` and `scheduler` alone are answered from this list without loading a
 * command module (loading them costs most of the start-up). test/cli/help.test.ts checks that
 * it names every registered command with the same summary.
 */
export interface CommandEntry {
  name: string;
  summary: string;
  examples: string[];
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: "start", summary: "run the daemon: scheduler + worker supervisor", examples: ["scheduler start", "scheduler start --hooks app/hooks.ts --job-lines failures", "scheduler start --no-log-file   # stdout only (systemd, containers)"] },
  { name: "worker", summary: "run workers only (RQ-style)", examples: ["scheduler worker --queue short,default", "scheduler worker --queue long --burst"] },
  { name: "trigger", summary: "enqueue every task of an event (or one task, or a cron expression) now", examples: ["scheduler trigger daily", "scheduler trigger my_app.tasks.send_invoices --now", "scheduler trigger '0 9 * * 1-5' --json"] },
  { name: "enqueue", summary: "enqueue one job from the shell", examples: ["scheduler enqueue my_app.tasks.send_mail user=ann", "scheduler enqueue my_app.tasks.import --kwargs '{\"file\": \"a.csv\"}' --queue long --delay 10m"] },
  { name: "list", summary: "every scheduled task: schedule, queue, last run, next run", examples: ["scheduler list", "scheduler list --next 5", "scheduler list --json"] },
  { name: "why", summary: "the fire ledger of one scheduled task", examples: ["scheduler why my_app.tasks.daily_report", "scheduler why my_app.tasks.daily_report --limit 5"] },
  { name: "status", summary: "queues, workers, scheduler and Redis at a glance", examples: ["scheduler status", "scheduler --redis redis://db:6379 --prefix shop status --watch"] },
  { name: "doctor", summary: "check Redis, hooks, paths, workers and scheduler; exit code says healthy", examples: ["scheduler doctor", "scheduler doctor --json"] },
  { name: "jobs", summary: "inspect and act on jobs", examples: ["scheduler jobs --status failed", "scheduler jobs show 73745c5b   # a unique id prefix is enough", "scheduler jobs retry --failed --queue long", "scheduler jobs cancel 73745c5b"] },
  { name: "purge", summary: "delete jobs (Frappe purge-jobs; default: queued jobs)", examples: ["scheduler purge --status failed --yes", "scheduler purge --queue long --task my_app.tasks.import"] },
  { name: "logs", summary: "the event and log stream, from any machine that reaches Redis", examples: ["scheduler logs -f", "scheduler logs --task my_app.tasks.send_mail --since 1h", "scheduler logs --level error --json | jq .msg"] },
  { name: "enable", summary: "enable the scheduler", examples: ["scheduler enable"] },
  { name: "disable", summary: "disable the scheduler (workers go on)", examples: ["scheduler disable"] },
  { name: "pause", summary: "pause the scheduler, or one schedule with a note (workers go on)", examples: ["scheduler pause --json", "scheduler pause my_app.tasks.poll_vendor --note \"vendor API down\""] },
  { name: "resume", summary: "resume a paused scheduler, or one paused schedule", examples: ["scheduler resume", "scheduler resume my_app.tasks.poll_vendor"] },
  { name: "reload", summary: "reload hooks in the running daemons (same as SIGHUP)", examples: ["scheduler reload", "scheduler reload --json"] },
  { name: "serve", summary: "run only the HTTP server (/metrics, probes, console) against a Redis", examples: ["scheduler serve --redis redis://db:6379 --http 127.0.0.1:7070", "scheduler serve --http 0.0.0.0:7070 --http-token \"$TOKEN\" --read-only"] },
  { name: "metrics", summary: "print the /metrics figures (from the daemon's HTTP server, else from Redis)", examples: ["scheduler metrics", "scheduler metrics --json"] },
  { name: "calendar", summary: "preview any schedule expression: next fires, UTC instants, DST adjustments (no hooks file needed)", examples: ["scheduler calendar \"30 2 * * *\" --tz Europe/Berlin --from 2027-03-27 --next 3", "scheduler calendar \"H 3 * * *\" --json"] },
  { name: "backfill", summary: "enqueue every slot of a past range once (never doubling a slot that ran)", examples: ["scheduler backfill my_app.tasks.daily_report --from 2026-11-01 --to 2026-11-07 --dry-run"] },
  { name: "plan", summary: "compare the hooks file with the installation in Redis; exit 0 when equal, 1 when not", examples: ["scheduler plan", "scheduler plan --json"] },
  { name: "layout", summary: "the installation's key layout; `layout queue` moves a drained one to a hash tag per queue", examples: ["scheduler layout", "scheduler layout queue --json"] },
];

export const ENVIRONMENT_HELP = `Environment:
  REDIS_URL                  Redis to use (under --redis, over hooks \`redis\`)
  SCHEDULER_PREFIX           Redis key prefix (under --prefix)
  SCHEDULER_TIMEZONE         zone of cron and of every time shown (over hooks \`timezone\`)
  SCHEDULER_LOG_LEVEL        debug, info, warn or error (the daemon's own lines)
  SCHEDULER_HTTP             HOST:PORT of the HTTP server of start and serve (under --http)
  SCHEDULER_JOB_LINES        all, failures or none: the daemon's line per job (under --job-lines)
  SCHEDULER_WORKER_MAX_MEMORY_MB  heap limit of each worker process
  NO_COLOR / FORCE_COLOR     no colour / colour even when stdout is not a terminal
  SCHEDULER_DEBUG=1          print the stack of unexpected errors

Exit codes:
  0  success
  1  failure (a job or check failed, Redis unreachable, nothing to act on)
  2  usage error (unknown command or option, bad argument value)`;

export function examplesHelp(entry: CommandEntry): string {
  return `\nExamples:\n${entry.examples.map((e) => `  $ ${e}`).join("\n")}\n`;
}
