/**
 * `scheduler logs [-f] [--job ID] [--queue Q] [--task PATH] [--level L] [--since 10m] [--json]`:
 * the events stream from any machine that reaches Redis. Prints the recent history, and with -f
 * follows (XREAD BLOCK) until Ctrl-C, which exits 0.
 */
import { dirname, resolve } from "node:path";
import { Command, Option } from "commander";
import type { Redis } from "ioredis";
import { systemClock } from "../../clock.js";
import { resolveConfig } from "../../config/resolve.js";
import { findEmbeddedRedis } from "../../daemon/embedded-redis.js";
import { SchedulerError } from "../../errors.js";
import { loadHooks } from "../../hooks/load.js";
import { createPrinter } from "../../log/event-printer.js";
import { EVENTS_MAXLEN } from "../../log/events.js";
import { followEvents, parseLevel, readEvents, streamTail, type EventFilter } from "../../log/read-events.js";
import { connectRedis, DEFAULT_REDIS_URL } from "../../redis/connection.js";
import { createKeys, DEFAULT_PREFIX } from "../../redis/keys.js";
import { parseDuration } from "../duration.js";
import { action, EXIT, withCommon, type CommonOptions } from "../common.js";

interface LogsOptions extends CommonOptions {
  follow?: boolean;
  job?: string;
  queue?: string;
  task?: string;
  level?: string;
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
    .option("--since <duration>", "only events newer than this, e.g. 30s, 10m, 2h, 1d")
    .addOption(new Option("-n, --lines <count>", "at most this many past events (default 100, or all with --since)"))
    .action(action(runLogs));
}

/** Where the logs are: --redis, REDIS_URL, hooks `redis`, this folder's embedded server, 6379. */
export async function resolveLogsTarget(options: CommonOptions, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Promise<{ url: string; prefix: string }> {
  // A broken or slow hooks file must not stand between a user who named the server and its logs.
  const named = Boolean((options.redis || env.REDIS_URL) && options.prefix);
  const fromHooks = named ? undefined : await hooksSettings(options, env, cwd);
  const url =
    options.redis || env.REDIS_URL || fromHooks?.redisUrl || (await embeddedUrl([fromHooks?.dir, cwd])) || DEFAULT_REDIS_URL;
  return { url, prefix: options.prefix || fromHooks?.prefix || DEFAULT_PREFIX };
}

async function embeddedUrl(dirs: (string | undefined)[]): Promise<string | undefined> {
  for (const dir of new Set(dirs.filter((d): d is string => d !== undefined))) {
    const url = await findEmbeddedRedis(dir);
    if (url) return url;
  }
  return undefined;
}

/**
 * The hooks file's `redis` and `prefix` (through resolveConfig, so flag > env > hooks holds), when
 * there is a hooks file: given by --hooks, or found in the folder. Without one, `logs` still works
 * from any machine with flags, env and defaults.
 */
async function hooksSettings(options: CommonOptions, env: NodeJS.ProcessEnv, cwd: string) {
  try {
    const hooks = await loadHooks({ hooksPath: options.hooks, cwd });
    const config = resolveConfig({ flags: { redis: options.redis, prefix: options.prefix }, env, hooks });
    return { redisUrl: config.redisUrl, prefix: config.prefix, dir: dirname(resolve(cwd, hooks.file)) };
  } catch (err) {
    if (!options.hooks && err instanceof SchedulerError && err.code === "HOOKS_NOT_FOUND") return undefined;
    throw err;
  }
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
  if (options.level !== undefined) filter.level = parseLevel(options.level);
  const since = options.since === undefined ? undefined : systemClock() - parseDuration(options.since, "--since");
  const count = parseCount(options.lines, since === undefined ? 100 : EVENTS_MAXLEN);

  const target = await resolveLogsTarget(options);
  const keys = createKeys(target.prefix);
  const redis: Redis = await connectRedis(target.url, { failFast: true, connectionName: "hs-logs" });
  const printer = createPrinter({ out: process.stdout, json: options.json, color: process.stdout.isTTY === true });
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
