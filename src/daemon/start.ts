/**
 * `scheduler start`: one foreground daemon = scheduler + worker supervisor, wired together.
 *
 * Order matters: validate the app before touching Redis (a typo fails fast with its key), find
 * or start Redis, wait for it (never crash-loop), print the banner, then start the scheduler
 * and the workers. Signals: SIGTERM/SIGINT once = stop taking work and let running jobs finish
 * (grace period), twice = stop now and requeue; SIGHUP (or `scheduler reload`) = reload hooks.
 */
import { hostname } from "node:os";
import { dirname } from "node:path";
import type { Redis } from "ioredis";
import { systemClock } from "../base/clock.js";
import { describeError } from "../base/errors.js";
import { setActiveContext, type QueueEnv } from "../queue/context.js";
import { createRedis } from "../redis/connection.js";
import { claimedKeys } from "../redis/key-layout.js";
import { createLogger, closeLogger } from "../log/logger.js";
import { groupsFromConfig } from "../worker/supervisor/groups.js";
import { startSupervisor, type Supervisor } from "../worker/supervisor/supervisor.js";
import { cronDialectWarnings } from "../hooks/cron-dialect-warnings.js";
import { createScheduler, type Scheduler } from "../scheduler/scheduler.js";
import { deadlineNotifier } from "../scheduler/deadline-notify.js";
import { FailureHandlers } from "../worker/failure-handlers.js";
import type { Logger as WorkerLogger } from "../log/logger.js";
import { ensureRedis } from "./embedded-redis.js";
import { bannerLines } from "./banner.js";
import { listenControl, type ReloadReply } from "./control.js";
import { announceReload, summarizeDiff } from "./reload-announce.js";
import { collectWhenSettled, holdYoungGeneration } from "./release-garbage.js";
import { diffTasks, loadApp, type LoadedApp } from "./reload.js";
import { waitForRedis } from "./wait-for-redis.js";
import { startDaemonHttp } from "./http.js";
import type { HttpAddress, HttpHandle } from "../http/server.js";
import { stopNotice } from "./stop-notice.js";
import { daemonLogFiles } from "./log-files.js";
import { parseJobLinesMode } from "../worker/supervisor/job-lines.js";

export interface StartOptions {
  hooks?: string;
  redis?: string;
  prefix?: string;
  /** commander's --no-scheduler / --no-workers */
  scheduler: boolean;
  workers: boolean;
  queue?: string;
  json?: boolean;
  /** Seconds a graceful stop waits for running jobs (default: the longest queue timeout). */
  grace?: number;
  /** HTTP server address (/metrics, probes, console); undefined: none (--no-http). */
  http?: HttpAddress;
  readOnly?: boolean;
  httpToken?: string;
  /** --log-file PATH: every line there; --no-log-file (false): the console only. */
  logFile?: string | false;
  /** --job-lines: a line per ended job (all), failures only, or none. */
  jobLines?: string;
  /** Times of the console lines in UTC instead of the configured zone. */
  utc?: boolean;
}

export async function runDaemon(opts: StartOptions): Promise<number> {
  // Start-up allocation must not grow V8's young generation for good (see release-garbage.ts);
  // released after the first tick's garbage is collected.
  const releaseYoung = holdYoungGeneration();
  let app: LoadedApp = await loadApp({ hooksPath: opts.hooks, flags: { redis: opts.redis, prefix: opts.prefix } });
  const { config } = app;
  const cwd = dirname(config.hooksFile);
  const jobLines = parseJobLinesMode(opts.jobLines ?? process.env.SCHEDULER_JOB_LINES, opts.jobLines === undefined ? "SCHEDULER_JOB_LINES" : "--job-lines");
  const files = daemonLogFiles(cwd, opts.logFile);
  const zone = opts.utc ? "UTC" : config.timezone;
  const log = createLogger({ name: "scheduler", level: config.logLevel, json: opts.json, zone, ...(files ? { file: files.scheduler } : {}) });
  const workerLog = createLogger({ name: "worker", level: config.logLevel, json: opts.json, zone, ...(files ? { file: files.worker } : {}) });
  const groups = opts.workers ? groupsFromConfig(config, opts.queue) : [];

  // Signals are ours from the first moment, so Ctrl-C while waiting for Redis exits cleanly.
  const stopping = new AbortController();
  let supervisor: Supervisor | undefined;
  let scheduler: Scheduler | undefined;
  let signals = 0;
  const onStop = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      const awaited = supervisor ? supervisor.liveSlots().flatMap((slot) => [...slot.child!.inFlight.values()]) : [];
      log.info(stopNotice(signal, awaited, supervisor?.graceMs ?? 0, Date.now()));
      stopping.abort();
      void scheduler?.stop();
    } else {
      log.warn(`${signal} again: stopping now; running jobs are requeued`);
    }
    supervisor?.stop();
  };
  process.on("SIGTERM", onStop);
  process.on("SIGINT", onStop);

  const redisHandle = await ensureRedis({
    configuredUrl: config.redisUrl,
    cwd,
    logger: { info: (m) => log.info(m), warn: (m) => log.warn(m) },
  });
  let redis: Redis | undefined;
  let closeControl: (() => void) | undefined;
  let cancelCollect: (() => void) | undefined;
  let http: HttpHandle | undefined;
  try {
    redis = await waitForRedis(redisHandle.url, { info: (m) => log.info(m), warn: (m) => log.warn(m) }, stopping.signal, "hs-daemon");
    if (!redis) return 0;
    redis.on("error", (err) => log.warn(`Redis: ${err.message}`));

    const env: QueueEnv = {
      redis,
      keys: await claimedKeys(redis, config.prefix, config.claimLayout),
      clock: systemClock,
      queues: config.queues,
      retention: config.retention,
      tasks: app.tasks,
      ...(config.signing ? { signing: config.signing } : {}),
    };
    setActiveContext(env);
    const daemonName = `${hostname()}:${process.pid}`;

    for (const line of bannerLines({
      config,
      tasks: app.hooks.tasks,
      redisUrl: redisHandle.url,
      embedded: redisHandle.embedded,
      groups,
      scheduler: opts.scheduler,
      now: env.clock(),
    })) {
      log.info(line);
    }

    for (const w of cronDialectWarnings(app.hooks.definition)) log.warn(`${w.message}; ${w.fix}`);
    if (opts.http) {
      http = await startDaemonHttp({
        address: opts.http,
        redis,
        keys: env.keys,
        config,
        tasks: () => app.hooks.tasks,
        readOnly: !!opts.readOnly,
        ...(opts.httpToken ? { token: opts.httpToken } : {}),
        clock: systemClock,
        groups,
        scheduler: () => scheduler,
        schedulerOn: opts.scheduler,
        supervisor: () => supervisor,
        warn: (m) => log.warn(m),
      });
      if (http) log.info(`http      ${http.url} (the console: open it in a browser; /metrics, /healthz, /readyz)`);
    }

    if (opts.scheduler) {
      const grace = app.hooks.definition.failover_grace;
      const deadlineHandlers = new FailureHandlers({ env, paths: () => config.failureHandlers ?? [], tasks: () => app.tasks, log: log as unknown as WorkerLogger });
      scheduler = createScheduler({
        env,
        tasks: app.hooks.tasks,
        timezone: config.timezone,
        clock: systemClock,
        logger: log,
        onDeadlineMissed: deadlineNotifier(deadlineHandlers, systemClock),
        ...(grace !== undefined ? { failoverGraceMs: grace * 1000 } : {}),
      });
      await scheduler.start();
    }
    if (groups.length) {
      supervisor = await startSupervisor({
        config: { ...config, keyLayout: env.keys.jobTags },
        redisUrl: redisHandle.url,
        groups,
        promote: true,
        graceMs: opts.grace === undefined ? undefined : opts.grace * 1000,
        preload: [...new Set(app.hooks.tasks.map((t) => t.method))],
        logger: workerLog,
        handleSignals: false,
        jobLines,
      });
    }

    // Start-up garbage (hooks load, the first walk over every task) is dead once the first
    // tick is done: one full GC then lets an idle daemon give it back (see release-garbage.ts).
    cancelCollect = collectWhenSettled(() => !scheduler || scheduler.state().ticks >= 1, { then: releaseYoung });

    const reload = async (why: string, replyTo?: string) => {
      const releaseReloadYoung = holdYoungGeneration();
      let reply: ReloadReply;
      try {
        const next = await loadApp({ hooksPath: config.hooksFile, fresh: true, flags: { redis: opts.redis, prefix: opts.prefix } });
        const diff = diffTasks(app.hooks.tasks, next.hooks.tasks);
        app = next;
        env.tasks = next.tasks;
        scheduler?.replaceTasks(next.hooks.tasks);
        const workersReplaced = supervisor?.reload({ config: next.config, preload: [...new Set(next.hooks.tasks.map((t) => t.method))] }) ?? 0;
        for (const t of diff.added) log.info(`reload: added ${t.id}`);
        for (const t of diff.removed) log.info(`reload: removed ${t.id}`);
        for (const t of diff.changed) log.info(`reload: changed ${t.id}`);
        log.info(`reload (${why}): ${next.hooks.tasks.length} tasks; ${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed`);
        reply = { daemon: daemonName, ok: true, tasks: next.hooks.tasks.length, ...summarizeDiff(diff), workersReplaced };
        const ticks = scheduler?.state().ticks ?? 0;
        cancelCollect?.();
        cancelCollect = collectWhenSettled(() => !scheduler || scheduler.state().ticks > ticks, { then: releaseReloadYoung });
      } catch (err) {
        releaseReloadYoung();
        log.error(`reload (${why}) failed, the previous hooks keep running: ${describeError(err)}`);
        reply = { daemon: daemonName, ok: false, error: describeError(err) };
      }
      await announceReload(env, why, reply, replyTo).catch((err: unknown) => log.warn(`reload: could not announce the result: ${describeError(err)}`));
    };
    process.on("SIGHUP", () => void reload("SIGHUP"));
    const subscriber = createRedis(redisHandle.url, { connectionName: "hs-control" });
    subscriber.on("error", () => {});
    closeControl = await listenControl(subscriber, env.keys, (_command, replyTo) => void reload("scheduler reload", replyTo));

    let code = 0;
    if (supervisor) code = await supervisor.done;
    else if (!stopping.signal.aborted) await new Promise((r) => stopping.signal.addEventListener("abort", r, { once: true }));
    await scheduler?.stop();
    if (supervisor && code === 0 && !stopping.signal.aborted) {
      log.error("every worker group stopped; exiting");
      code = 1;
    }
    log.info(`stopped (exit ${code})`);
    return code;
  } finally {
    cancelCollect?.();
    releaseYoung();
    closeControl?.();
    await http?.close().catch(() => {});
    redis?.disconnect();
    await redisHandle.stop();
    process.off("SIGTERM", onStop);
    process.off("SIGINT", onStop);
    await closeLogger(workerLog);
    await closeLogger(log);
  }
}
