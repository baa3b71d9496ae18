/**
 * `scheduler worker`: workers only, RQ-style. One group of child processes serving the named
 * queues (priority order, or round robin), under the supervisor of src/worker/supervisor/supervisor.ts.
 * Also promotes due delayed jobs and retries, since no scheduler daemon may be running.
 */
import { dirname } from "node:path";
import { Command } from "commander";
import { action, withCommon, type CommonOptions } from "../common.js";
import { ConfigError } from "../../base/errors.js";
import { durationMs } from "../../base/duration.js";
import { loadHooks } from "../../hooks/load.js";
import { resolveConfig } from "../../settings/resolve.js";
import { ensureRedis } from "../../daemon/embedded-redis.js";
import { closeLogger, createLogger } from "../../log/logger.js";
import { startSupervisor, type Supervisor } from "../../worker/supervisor/supervisor.js";
import { parseJobLinesMode } from "../../worker/supervisor/job-lines.js";
import { stopNotice } from "../../daemon/stop-notice.js";
import { planWorkerGroup } from "../../worker/supervisor/groups.js";

interface WorkerOptions extends CommonOptions {
  queue: string;
  burst?: boolean;
  concurrency?: string;
  processes?: string;
  strategy: string;
  grace?: string;
  jobLines?: string;
  logFile?: string | false;
}

export function registerWorker(program: Command): void {
  withCommon(program.command("worker").description("run workers only (RQ-style)"))
    .option("--queue <names>", "comma-separated queues, in priority order", "short,default,long")
    .option("--burst", "drain the queues and exit")
    .option("--concurrency <n>", "jobs per process at once (default: the largest concurrency of the queues)")
    .option("--processes <n>", "worker processes (default 1)")
    .option("--strategy <s>", "queue order: default (priority) or round_robin", "default")
    .option("--grace <seconds>", "on stop, wait this long for running jobs (default: the longest queue timeout)")
    .option("--job-lines <which>", "a line per ended job: all, failures (quiet the finished ones) or none (default: SCHEDULER_JOB_LINES, else all)")
    .option("--log-file <path>", "also write every log line to this file (default: the console only)")
    .action(action(runWorker));
}

async function runWorker(opts: WorkerOptions): Promise<number> {
  const hooks = await loadHooks({ hooksPath: opts.hooks });
  const config = resolveConfig({ flags: { redis: opts.redis, prefix: opts.prefix }, hooks });
  const group = planWorkerGroup(config, {
    queues: opts.queue,
    concurrency: opts.concurrency,
    processes: opts.processes,
    strategy: opts.strategy,
  });
  const graceMs = opts.grace === undefined ? undefined : parseGrace(opts.grace);
  const jobLines = parseJobLinesMode(opts.jobLines ?? process.env.SCHEDULER_JOB_LINES, opts.jobLines === undefined ? "SCHEDULER_JOB_LINES" : "--job-lines");
  const log = createLogger({
    name: "worker",
    level: config.logLevel,
    json: opts.json,
    zone: opts.utc ? "UTC" : config.timezone,
    ...(typeof opts.logFile === "string" ? { file: opts.logFile } : {}),
  });
  const redis = await ensureRedis({
    configuredUrl: config.redisUrl,
    cwd: dirname(config.hooksFile),
    logger: { info: (m) => log.info(m), warn: (m) => log.warn(m) },
  });
  let supervisor: Supervisor | undefined;
  let signals = 0;
  const onStop = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals === 1 && supervisor) {
      const awaited = supervisor.liveSlots().flatMap((slot) => [...slot.child!.inFlight.values()]);
      log.info(stopNotice(signal, awaited, supervisor.graceMs, Date.now()));
    } else if (signals > 1) log.warn(`${signal} again: stopping now; running jobs are requeued`);
    supervisor?.stop();
  };
  process.on("SIGTERM", onStop);
  process.on("SIGINT", onStop);
  try {
    supervisor = await startSupervisor({
      config,
      redisUrl: redis.url,
      groups: [group],
      burst: !!opts.burst,
      graceMs,
      promote: true,
      preload: [...new Set(hooks.tasks.map((t) => t.method))],
      logger: log,
      handleSignals: false,
      jobLines,
    });
    return await supervisor.done;
  } finally {
    process.off("SIGTERM", onStop);
    process.off("SIGINT", onStop);
    await closeLogger(log);
    await redis.stop();
    // Failure handlers of timed-out or abandoned jobs run here, in app modules that may hold
    // handles open (a Redis or SMTP client): once done, they must not keep this process alive.
    setTimeout(() => process.exit(), 1000).unref();
  }
}

/** --grace in ms: seconds, or a duration like "90s" (src/base/duration.ts). */
function parseGrace(raw: string): number {
  const ms = durationMs(raw);
  if (ms === undefined) throw new ConfigError("CONFIG_INVALID", `--grace: "${raw}" is not a number of seconds`, { hint: "e.g. --grace 30" });
  return ms;
}
