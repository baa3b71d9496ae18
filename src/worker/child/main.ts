/**
 * Entry point of a worker child process (forked by child-handle.ts; never run by hand).
 *
 * Waits for its `init` note, connects to Redis (one connection for commands, one for blocking
 * waits), loads the app's task modules once, then runs the dequeue loop until told to stop or,
 * in burst mode, until the queues are empty. Task modules that throw while loading are reported
 * to the supervisor once per module; their jobs fail with that error, and the child goes on.
 *
 * If the supervisor goes away (its IPC channel closes), the child exits at once: nobody would
 * enforce its hard timeouts or extend its leases, so its jobs are better left to the reaper.
 */
import { useRedactKeys } from "../../security/redact-config.js";
import { useRedisTls } from "../../redis/tls.js";
import { useTaskAllowList } from "../../tasks/task-allow.js";
import { useLimits } from "../../config/limits.js";
import { setMaxListeners } from "node:events";
import { createRedis } from "../../redis/connection.js";
import { createKeys } from "../../redis/keys.js";
import { systemClock } from "../../base/clock.js";
import { describeError, JobCanceledError, JobLeaseLostError } from "../../base/errors.js";
import { createTaskRegistry } from "../../tasks/task-loader.js";
import { setActiveContext, type QueueEnv } from "../../queue/context.js";
import { JobLoop } from "./job-loop.js";
import { FailureHandlers } from "../failure-handlers.js";
import { CompletionBatch } from "./completion-batch.js";
import { moduleOf, runJob, type RunJobDeps, type DequeueNext } from "./run-job.js";
import { jsonLogger } from "../log.js";
import { createLogger } from "../../log/logger.js";
import { PulseJournal } from "./pulse-journal.js";
import { watchParent } from "./orphan-watchdog.js";
import type { JobAbort } from "./job-abort.js";
import { CHILD_EXIT, PULSE_MS, type ChildInit, type ChildMessage, type ParentMessage } from "../protocol.js";
import { servedPartitions } from "../../config/partition-names.js";
import { knownQueueNames } from "../../queue/find-job.js";


let loop: JobLoop | undefined;
let stopRequested = false;
let started = false;
const shutdown = new AbortController();
/** The running jobs' aborts by id: a cancel request from the supervisor aborts one (run-job.ts). */
const aborts = new Map<string, JobAbort>();
// Every running job listens to it (up to `concurrency` at once): not a leak.
setMaxListeners(0, shutdown.signal);

/**
 * Notes made in one turn of the event loop leave together, as one array, at the end of the
 * turn (setImmediate): an IPC write is a syscall per message. Order is kept. What jobs run and
 * how they ended is not a note of its own: the journal sends it as pulses (pulse-journal.ts), and any
 * other note takes the pending pulse along first, so the supervisor's tally is current when it
 * reads "drained" or "exiting".
 */
let outbox: Array<{ msg: ChildMessage; resolve: () => void }> = [];
const journal = new PulseJournal();

function flushNotes(): void {
  const batch = outbox;
  outbox = [];
  const done = () => batch.forEach((n) => n.resolve());
  if (!process.send || !process.connected) return done();
  // The callback fires once the message is handed to the OS.
  process.send(batch.length === 1 ? batch[0]!.msg : batch.map((n) => n.msg), undefined, {}, done);
}

function note(msg: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (outbox.length === 0) setImmediate(flushNotes);
    const pulse = journal.nextPulse(Date.now(), true);
    if (pulse) outbox.push({ msg: pulse, resolve: () => {} });
    outbox.push({ msg, resolve });
  });
}

/** Send a pulse when one is due; runs every PULSE_MS once the child is ready. */
function pulseTick(): void {
  const pulse = journal.nextPulse(Date.now());
  if (!pulse) return;
  if (outbox.length === 0) setImmediate(flushNotes);
  outbox.push({ msg: pulse, resolve: () => {} });
}

function requestStop(): void {
  stopRequested = true;
  loop?.stop();
}

async function start(init: ChildInit): Promise<void> {
  const log = jsonLogger({ level: "warn", base: { component: "worker-child", worker: init.worker } });
  useRedisTls(init.config.redisTls);
  const redis = createRedis(init.redisUrl, { connectionName: init.worker });
  const blocking = createRedis(init.redisUrl, { blocking: true, connectionName: `${init.worker}:wait` });
  // ioredis reconnects by itself; say so once per outage instead of once per retry.
  let redisDown = false;
  const onRedisError = (err: Error) => {
    if (!redisDown) log.warn({ err: err.message }, "redis connection lost; retrying");
    redisDown = true;
  };
  redis.on("error", onRedisError);
  blocking.on("error", onRedisError);
  redis.on("ready", () => (redisDown = false));

  try {
    await Promise.all([redis.connect(), blocking.connect()]);
    useRedactKeys(init.config.redact);
    useTaskAllowList(init.config.tasksAllow);
    useLimits(init.config.limits);
    const tasks = createTaskRegistry(init.config.appRoot);
    const env: QueueEnv = {
      redis,
      keys: createKeys(init.config.prefix, { jobTags: init.config.keyLayout }),
      clock: systemClock,
      queues: init.config.queues,
      retention: init.config.retention,
      tasks,
      ...(init.config.signing ? { signing: init.config.signing } : {}),
    };
    // enqueue() and publishProgress() called by tasks use this process's env.
    setActiveContext(env);
    // Task code logs through currentJob().log: JSON lines on stdout (the supervisor forwards
    // them to its log file) and, tagged with the job, to the events stream (`scheduler logs`).
    const taskLogger = createLogger({ name: "task", level: init.config.logLevel, json: true, events: { redis, keys: env.keys } });
    const failures = new FailureHandlers({ env, paths: () => init.config.failureHandlers ?? [], tasks: () => tasks, log });

    const reported = new Set<string>();
    const onLoadError = (method: string, err: unknown) => {
      const module = moduleOf(method);
      const error = describeError(err);
      if (reported.has(`${module}\n${error}`)) return;
      reported.add(`${module}\n${error}`);
      void note({ type: "load-error", module, error });
    };
    for (const method of init.preload) {
      try {
        await tasks.resolve(method);
      } catch (err) {
        onLoadError(method, err);
      }
    }

    // The same for every job (one object, not one per job: this is the hot path).
    const deps: RunJobDeps = {
      env,
      tasks,
      worker: init.worker,
      journal,
      onLoadError,
      onRecordError: (j, err) => log.error({ jobId: j.id, err: describeError(err) }, "could not record job outcome"),
      shutdownSignal: shutdown.signal,
      aborts,
      failures,
      taskLogger,
      ...(init.jobLines && init.jobLines !== "none" ? { jobLines: { mode: init.jobLines, appRoot: init.config.appRoot } } : {}),
      // One job at a time has nothing to batch with: its completion goes at once. Batches of at
      // most half the slots keep two calls in flight in a backlog, so Redis runs one while this
      // process runs the jobs the other brought back (larger batches made the two take turns:
      // bench/README.md).
      ...(init.concurrency > 1 ? { completions: new CompletionBatch(env, Math.ceil(init.concurrency / 2)) } : {}),
    };
    loop = new JobLoop({
      env,
      blocking,
      worker: init.worker,
      // a partitioned queue is served in each of its partitions (src/queue/partitions.ts)
      queues: servedPartitions(init.config.queues, init.queues, await knownQueueNames(env)),
      strategy: init.strategy,
      concurrency: init.concurrency,
      leaseMs: init.leaseMs,
      blockSeconds: init.blockSeconds,
      burst: init.burst,
      runJob: async (job, dequeueOptions) => {
        const dequeueNext: DequeueNext | undefined = dequeueOptions ? { options: dequeueOptions } : undefined;
        await runJob(deps, job, dequeueNext);
        return dequeueNext?.next ?? null;
      },
      onError: (err) => log.warn({ err: describeError(err) }, "fetch failed"),
      onLostRequeued: (ids) => log.warn({ jobIds: ids }, "gave back jobs leased by a dequeue whose answer was lost (no stall counted)"),
    });
    if (stopRequested) loop.stop();
    await note({ type: "ready" });
    // Unref'd: the IPC channel and the Redis connections decide how long this process lives.
    setInterval(pulseTick, PULSE_MS).unref();
    const end = await loop.run();
    // Handlers of the last failures run after their jobs ended: let them finish (each is bounded).
    await failures.settled();
    // Awaited: IPC keeps order, so the last pulse (taken along by note()) is out before we exit.
    await note(end === "drained" ? { type: "drained" } : { type: "exiting" });
    redis.disconnect();
    blocking.disconnect();
    process.exit(CHILD_EXIT.ok);
  } catch (err) {
    await note({ type: "fatal", error: describeError(err) });
    process.exit(CHILD_EXIT.fatal);
  }
}

process.on("message", (raw: unknown) => {
  const msg = raw as ParentMessage;
  if (msg?.type === "init" && !started) {
    started = true;
    void start(msg);
  } else if (msg?.type === "stop") {
    requestStop();
  } else if (msg?.type === "abort") {
    requestStop();
    shutdown.abort(new Error("worker is shutting down"));
  } else if (msg?.type === "cancel") {
    // A job that already ended is not in the map: nothing to do.
    aborts.get(msg.jobId)?.abort(new JobCanceledError(`job ${msg.jobId} was canceled while running`));
  } else if (msg?.type === "lease-lost") {
    aborts.get(msg.jobId)?.abort(new JobLeaseLostError(`job ${msg.jobId} is no longer leased to this worker (reaped while it could not reach Redis)`));
  }
});
process.on("disconnect", () => process.exit(CHILD_EXIT.orphaned));
// The disconnect event needs a free event loop; a task blocking it is caught by this thread.
watchParent();
// Ctrl-C reaches the whole process group: a child stops gracefully and leaves the second-signal
// decision to its supervisor.
process.on("SIGINT", requestStop);
process.on("SIGTERM", requestStop);
