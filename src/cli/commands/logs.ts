/**
 * `scheduler logs [-f] [--job ID] [--queue Q] [--task PATH] [--level L] [--since 10m] [--json]`:
 * the events stream from any machine that reaches Redis. Prints the recent history, and with -f
 * follows (XREAD BLOCK) until Ctrl-C, which exits 0.
 */
import { Command, Option } from "commander";
import type { Redis } from "ioredis";
import { systemClock } from "../../base/clock.js";
import { SchedulerError } from "../../base/errors.js";
import { createPrinter } from "../../log/event-printer.js";
import { EVENTS_MAXLEN } from "../../log/events.js";
import { followEvents, parseLevel, readEvents, streamTail, type EventFilter } from "../../log/read-events.js";
import { closingOnFailure, connectRedis } from "../../redis/connection.js";
import { createKeys } from "../../redis/keys.js";
import { keysOf } from "../../redis/key-layout.js";
import { parseDuration } from "../../base/duration.js";
import { action, EXIT, withCommon, type CommonOptions } from "../common.js";
import { resolveTarget } from "../context.js";
import { displayZone } from "../display-zone.js";
import { useColor } from "../../log/color.js";

interface LogsOptions extends CommonOptions {
  follow?: boolean;
  job?: string;
  queue?: string;
  task?: string;
  level?: string;
  event?: string;
  since?: string;
  lines?: string;
}

export function registerLogs(program: Command): void {
  withCommon(program.command("logs").description("the event and log stream, from any machine that reaches Redis"), { json: true })
    .option("-f, --follow", "follow until Ctrl-C")
    .option("--job <id>", "only this job")
    .option("--queue <name>", "only this queue")
    .option("--task <path>", "only this task")
    .option("--level <level>", "at least this level: debug, info, warn, error")
    .option("--event <type>", "only this event type, or a prefix ending in \".\" (e.g. job.); see docs/events.md")
    .option("--since <duration>", "only events newer than this, e.g. 30s, 10m, 2h, 1d")
    .addOption(new Option("-n, --lines <count>", "at most this many past events (default 100, or all with --since)"))
    .action(action(runLogs));
}

function parseCount(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new SchedulerError("BAD_COUNT", `--lines "${text}" is not a positive whole number`, { hint: "e.g. --lines 50" });
  }
  return n;
}

async function runLogs(options: LogsOptions): Promise<number> {
  // Validate every argument before touching Redis, so a typo is reported as such.
  const filter: EventFilter = { job: options.job, queue: options.queue, task: options.task };
  if (options.event !== undefined) filter.type = options.event;
  if (options.level !== undefined) filter.level = parseLevel(options.level);
  const since = options.since === undefined ? undefined : systemClock() - parseDuration(options.since, "--since");

  const count = parseCount(options.lines, since === undefined ? 100 : EVENTS_MAXLEN);

  // --redis > REDIS_URL > hooks `redis` > this folder's embedded server > 127.0.0.1:6379; logs
  // needs no hooks file (it is read from any machine that reaches Redis).
  const target = await resolveTarget(options, { hooks: "optional" });
  createKeys(target.prefix); // a refused prefix is reported before connecting
  const redis: Redis = await connectRedis(target.url, { failFast: true, connectionName: "hs-logs" });
  const keys = await closingOnFailure(redis, keysOf(redis, target.prefix));
  const zone = displayZone(options, target.config);
  const printer = createPrinter({ out: process.stdout, json: options.json, color: useColor(process.stdout), zone, zoneName: true });
  try {
    // The tail is taken first: history is read up to it and following starts after it, so an
    // event written in between is printed exactly once.
    const tail = await streamTail(redis, keys);
    for (const event of await readEvents(redis, keys, { since, count, until: tail, filter })) printer.print(event);
    if (!options.follow) return EXIT.ok;

    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    try {
      await followEvents(redis, keys, filter, (event) => printer.print(event), controller.signal, { after: tail });
    } finally {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
    }
    return EXIT.ok;
  } finally {
    printer.close();
    redis.disconnect();
  }
}
