/**
 * Every error the product raises on purpose. `code` is stable (scripts and tests match on it),
 * `message` is one line that says what and where, `hint` says what to do.
 */

/** The classes that carry a code; ApiError is an HTTP answer only, INTERNAL has no class. */
export type ErrorClassName =
  | "SchedulerError" | "HooksError" | "HooksValidationError" | "ConfigError" | "TaskResolutionError" | "EnqueueError"
  | "RedisUnavailableError" | "JobTimeoutError" | "JobCanceledError" | "JobLeaseLostError" | "UsageError"
  | "LockLostError" | "LockBusyError" | "WebhookError" | "CorruptJobError" | "JobRejectedError" | "ApiError" | "ReplicaTimeoutError" | "none";

export interface ErrorCodeEntry {
  /** The one class that raises this code (ApiError: only answered by the HTTP API). */
  readonly class: ErrorClassName;
  /** The CLI's exit code for it (2: what was typed on the command line); absent for HTTP-only codes. */
  readonly exit?: 1 | 2;
  /** The HTTP status the API answers with it, when the API raises it. */
  readonly http?: number;
  readonly meaning: string;
}

/**
 * The error-code catalog: every code, the class that raises it and what it means. README's
 * "Errors" section is generated from it (scripts/contract-docs.ts; test/contracts checks it).
 */
export const ERROR_CODES = {
  AMBIGUOUS_ID: { class: "SchedulerError", exit: 1, meaning: "a job id prefix matches more than one job" },
  AMBIGUOUS_TASK: { class: "SchedulerError", exit: 1, meaning: "a task path is scheduled more than once; name the schedule by its id" },
  APP_ROOT_MISSING: { class: "TaskResolutionError", exit: 1, meaning: "the app root that task paths resolve in does not exist" },
  BACKFILL_TOO_LARGE: { class: "SchedulerError", exit: 1, meaning: "a backfill range holds more slots than one backfill enqueues" },
  BAD_ARGUMENT: { class: "EnqueueError", exit: 1, meaning: "a helper (enqueueMany, enqueueChunks, forEachBatch, webhookNotifier, ...) refused an argument" },
  BAD_AT: { class: "EnqueueError", exit: 1, meaning: "enqueue: `at` is not a valid time, or too far ahead" },
  BAD_CATCHUP_WINDOW: { class: "ConfigError", exit: 1, meaning: "a schedule's catch-up window is not a duration" },
  BAD_CONFIG: { class: "SchedulerError", exit: 1, meaning: "a queue's rate limit is not a valid limit" },
  BAD_COUNT: { class: "SchedulerError", exit: 2, meaning: "a count given on the command line is not a positive whole number" },
  BAD_DELAY: { class: "EnqueueError", exit: 1, meaning: "enqueue: `delay` is not a duration, or too long" },
  BAD_DEPENDENCY: { class: "EnqueueError", exit: 1, meaning: "enqueue: a `dependsOn` entry is not a job id or a job, or is the job itself" },
  BAD_DURATION: { class: "ConfigError", exit: 2, meaning: "a duration given on the command line or in the environment does not parse" },
  BAD_JOB_ID: { class: "EnqueueError", exit: 1, meaning: "enqueue: `jobId` is not 1-200 characters without spaces or braces" },
  BAD_KEY_LAYOUT: { class: "SchedulerError", exit: 1, meaning: "the installation's key layout marker in Redis names no known layout" },
  KEY_LAYOUT_MISMATCH: { class: "SchedulerError", exit: 1, meaning: "hooks key_layout names another layout than the installation on that prefix runs on" },
  LAYOUT_NOT_DRAINED: { class: "SchedulerError", exit: 1, meaning: "`scheduler layout queue` refused: jobs are in flight, or workers or a scheduler still run on the installation" },
  BAD_KWARGS: { class: "EnqueueError", exit: 1, meaning: "enqueue: kwargs are not a plain JSON-safe object, or a kwarg is given twice" },
  BAD_LEVEL: { class: "ConfigError", exit: 2, meaning: "a log level is not debug, info, warn or error" },
  BAD_METHOD: { class: "EnqueueError", exit: 1, meaning: "enqueue: the method is neither a dotted path nor a task function" },
  BAD_OPTION: { class: "EnqueueError", exit: 1, meaning: "enqueue: an option has the wrong type or does not combine with another" },
  BAD_PROGRESS: { class: "EnqueueError", exit: 1, meaning: "publishProgress: percent is not a number from 0 to 100" },
  BAD_RANGE: { class: "SchedulerError", exit: 1, meaning: "a backfill range ends before it starts, or in the future" },
  BAD_RETRY: { class: "EnqueueError", exit: 1, meaning: "a retry policy (enqueue or hooks) is not valid" },
  BAD_SCHEDULE: { class: "ConfigError", exit: 1, meaning: "a schedule's cron expression or event name does not parse" },
  BAD_SLOT: { class: "EnqueueError", exit: 1, meaning: "enqueueScheduled: the slot is not ms since epoch" },
  BAD_SOURCE: { class: "SchedulerError", exit: 1, meaning: "forEachBatch: the source returned a bad page or the same cursor twice" },
  BAD_STATUS: { class: "EnqueueError", exit: 1, meaning: "setStatus: the status is not JSON-safe or too large" },
  BAD_TIMEOUT: { class: "EnqueueError", exit: 1, meaning: "enqueue: `timeout` is not a positive number of seconds, or too long" },
  BAD_TIMEZONE: { class: "ConfigError", exit: 1, meaning: "a time zone is not an IANA zone name" },
  CONFIG_INVALID: { class: "ConfigError", exit: 1, meaning: "a setting from flags, environment or the hooks file is invalid (exit 2 when it names a --flag)" },
  DEPENDENCY_FAILED: { class: "EnqueueError", exit: 1, meaning: "enqueue: a job it depends on already failed or was canceled" },
  EMBEDDED_REDIS_FAILED: { class: "RedisUnavailableError", exit: 1, meaning: "the embedded redis-server exited or did not answer at start" },
  EMBEDDED_REDIS_LOCKED: { class: "SchedulerError", exit: 1, meaning: "the embedded Redis lock file stays held by another process" },
  EMBEDDED_REDIS_STUCK: { class: "RedisUnavailableError", exit: 1, meaning: "the embedded redis-server runs but does not answer" },
  ENQUEUE_FAILED: { class: "EnqueueError", exit: 1, meaning: "Redis did not write the job (no result, or a scheduled slot's id is taken)" },
  ENQUEUE_PARTIAL: { class: "EnqueueError", exit: 1, meaning: "jobs of several queue tags enqueued together: one tag's jobs were written, another's refused or failed (all-or-nothing holds per tag)" },
  GROUP_TIMEOUT: { class: "SchedulerError", exit: 1, meaning: "a chunk group's jobs did not all end within the wait" },
  HANDLER_TIMEOUT: { class: "SchedulerError", exit: 1, meaning: "a failure handler did not finish within its time" },
  HOOKS_CYCLE: { class: "HooksError", exit: 1, meaning: "a `scheduler` pointer in package.json or a config file leads back to a file already followed" },
  HOOKS_EMPTY: { class: "HooksError", exit: 1, meaning: "the hooks file exports nothing usable" },
  HOOKS_INVALID: { class: "HooksValidationError", exit: 1, meaning: "the hooks file does not validate (every problem, one line each)" },
  HOOKS_LOAD_FAILED: { class: "HooksError", exit: 1, meaning: "the hooks file failed to load (syntax error, throwing import, ...)" },
  HOOKS_NOT_A_MODULE: { class: "HooksError", exit: 1, meaning: "the hooks path is not a module file" },
  HOOKS_NOT_FOUND: { class: "HooksError", exit: 1, meaning: "no hooks file at the given path, or none found from the current folder" },
  HOOKS_SHAPE: { class: "HooksError", exit: 1, meaning: "the hooks file's exports are not a hooks object" },
  JOB_CANCELED: { class: "JobCanceledError", exit: 1, meaning: "the abort reason of a running job that was canceled" },
  JOB_CORRUPT: { class: "CorruptJobError", exit: 1, meaning: "a dequeued job's hash is damaged; it fails once, without retries" },
  JOB_ENDED: { class: "EnqueueError", exit: 1, meaning: "cancel: the job already ended" },
  JOB_ID_TAKEN: { class: "EnqueueError", exit: 1, meaning: "enqueue: the jobId is taken by a live job" },
  JOB_LEASE_LOST: { class: "JobLeaseLostError", exit: 1, meaning: "the abort reason of a running job whose lease its worker lost" },
  JOB_NOT_REQUEUABLE: { class: "EnqueueError", exit: 1, meaning: "requeue: only failed or canceled jobs can be requeued" },
  JOB_REJECTED: { class: "JobRejectedError", exit: 1, meaning: "a worker refused a job whose signature is missing or wrong; never retried" },
  JOB_TIMEOUT: { class: "JobTimeoutError", exit: 1, meaning: "a job ran past its timeout and was stopped" },
  KWARGS_TOO_LARGE: { class: "EnqueueError", exit: 1, meaning: "enqueue: the kwargs' JSON is over the size limit" },
  LOCK_BUSY: { class: "LockBusyError", exit: 1, meaning: "withLock: the lock stayed held by another holder" },
  LOCK_LOST: { class: "LockLostError", exit: 1, meaning: "a lock was lost while its holder ran (the abort reason of its signal)" },
  NOT_CONFIGURED: { class: "EnqueueError", exit: 1, meaning: "the library is not configured in this process (configure({ redis }))" },
  NO_CONTEXT: { class: "SchedulerError", exit: 1, meaning: "a helper needs Redis but runs outside a job and without an active context" },
  NO_SUCH_JOB: { class: "EnqueueError", exit: 1, http: 404, meaning: "no job with that id (or it expired)" },
  NO_JOB_RUNNER: { class: "EnqueueError", exit: 1, meaning: "a job cannot run in this process: the job context (src/runtime/job-context.ts) is not loaded" },
  NO_TASKS: { class: "EnqueueError", exit: 1, meaning: "a job cannot run in this process: no task table is configured" },
  REDIS_BAD_DATABASE: { class: "RedisUnavailableError", exit: 1, meaning: "the Redis URL's database number is out of the server's range" },
  REDIS_SERVER_MISSING: { class: "RedisUnavailableError", exit: 1, meaning: "no Redis configured or answering, and no redis-server on PATH to embed" },
  REDIS_TLS_FILE: { class: "ConfigError", exit: 1, meaning: "a Redis TLS certificate or key file cannot be read" },
  REPLICA_TIMEOUT: { class: "ReplicaTimeoutError", exit: 1, meaning: "durability \"replicated\": no replica acknowledged a write in time (it is on the master, a failover could lose it)" },
  REDIS_UNAVAILABLE: { class: "RedisUnavailableError", exit: 1, meaning: "Redis cannot be reached" },
  TASK_DEFAULT_EXPORT: { class: "TaskResolutionError", exit: 1, meaning: "a task path names a module's default export, which is not a task" },
  TASK_IN_NODE_MODULES: { class: "TaskResolutionError", exit: 1, meaning: "a task path resolves inside node_modules" },
  TASK_LOAD_FAILED: { class: "TaskResolutionError", exit: 1, meaning: "a task's module failed to load" },
  TASK_MODULE_NOT_FOUND: { class: "TaskResolutionError", exit: 1, meaning: "a task path names no module under the app root" },
  TASK_NOT_ALLOWED: { class: "TaskResolutionError", exit: 1, meaning: "a task path is not in hooks tasks.allow" },
  TASK_NOT_EXPORTED: { class: "TaskResolutionError", exit: 1, meaning: "a task's module does not export that name" },
  TASK_NOT_FUNCTION: { class: "TaskResolutionError", exit: 1, meaning: "a task path's export is not a function" },
  TASK_OUTSIDE_ROOT: { class: "TaskResolutionError", exit: 1, meaning: "a task path resolves (through a link) outside the app root" },
  TASK_PATH_INVALID: { class: "TaskResolutionError", exit: 1, meaning: "a task path is not a dotted path" },
  UNKNOWN_DEPENDENCY: { class: "EnqueueError", exit: 1, meaning: "enqueue: a job it depends on was never enqueued or expired" },
  UNKNOWN_QUEUE: { class: "EnqueueError", exit: 1, meaning: "a queue name is not configured" },
  UNKNOWN_TARGET: { class: "SchedulerError", exit: 1, meaning: "no event, cron expression or scheduled task by that name (or no fire ledger for it)" },
  UNKNOWN_TASK: { class: "EnqueueError", exit: 1, meaning: "a task does not resolve, or is not scheduled in the hooks file" },
  USAGE: { class: "UsageError", exit: 2, meaning: "a bad command-line argument or flag value" },
  WEBHOOK_FAILED: { class: "WebhookError", exit: 1, meaning: "a webhook failure handler gave up (after its retries, or on a 4xx)" },
  INTERNAL: { class: "none", exit: 1, meaning: "an unexpected error (a bug or a driver's error); the CLI's --json names it so" },
  BAD_BODY: { class: "ApiError", http: 400, meaning: "HTTP API: a request body field is missing or invalid" },
  BAD_PARAM: { class: "ApiError", http: 400, meaning: "HTTP API: a query parameter is invalid" },
  BAD_TOKEN: { class: "ApiError", http: 401, meaning: "HTTP API: the console token given at sign-in is not this console's" },
  COUNT_CHANGED: { class: "ApiError", http: 409, meaning: "HTTP API: a bulk action's filter selects a different count than confirmed" },
  CROSS_ORIGIN: { class: "ApiError", http: 403, meaning: "HTTP API: a write that does not come from the console's own origin" },
  JOB_RUNNING: { class: "ApiError", http: 409, meaning: "HTTP API: a live job cannot be deleted; cancel it first" },
  NOT_AVAILABLE: { class: "ApiError", http: 501, meaning: "HTTP API: per-schedule controls are not available in this build" },
  NO_SUCH_ASSET: { class: "ApiError", http: 404, meaning: "HTTP API: no console asset at that path" },
  NO_SUCH_TASK: { class: "ApiError", http: 404, meaning: "HTTP API: no scheduled task with that id" },
  READ_ONLY: { class: "ApiError", http: 405, meaning: "HTTP API: the console runs read-only; writes are refused" },
  TOKEN_REQUIRED: { class: "ApiError", http: 401, meaning: "HTTP API: the console needs its token" },
} as const satisfies Record<string, ErrorCodeEntry>;

/** Every code the product raises; a code that is not in ERROR_CODES fails the typecheck. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The codes raised by one class (or several). */
export type CodeOf<C extends ErrorClassName> = { [K in ErrorCode]: (typeof ERROR_CODES)[K]["class"] extends C ? K : never }[ErrorCode];

/** Each code by name (`codes.CONFIG_INVALID`), for call sites that want a value, not a literal. */
export const codes = Object.freeze(Object.fromEntries(Object.keys(ERROR_CODES).map((k) => [k, k]))) as { readonly [K in ErrorCode]: K };

/** Codes about what was typed on the command line: the CLI exits 2 for them. */
export const USAGE_EXIT_CODES: ReadonlySet<ErrorCode> = new Set(
  (Object.keys(ERROR_CODES) as ErrorCode[]).filter((k) => (ERROR_CODES[k] as ErrorCodeEntry).exit === 2),
);

export class SchedulerError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
  }

  /** The single line the CLI prints: message, then the hint when there is one. */
  toLine(): string {
    return this.hint ? `${this.message} (${this.hint})` : this.message;
  }
}

type ErrorOptions = { hint?: string; cause?: unknown };

/** The hooks file cannot be loaded or does not validate. */
export class HooksError extends SchedulerError {
  declare readonly code: CodeOf<"HooksError" | "HooksValidationError">;
  constructor(code: CodeOf<"HooksError" | "HooksValidationError">, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

/** Config from flags, environment or the hooks file is invalid. */
export class ConfigError extends SchedulerError {
  declare readonly code: CodeOf<"ConfigError">;
  constructor(code: CodeOf<"ConfigError">, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

/** A dotted task path does not resolve to an exported function inside the app root. */
export class TaskResolutionError extends SchedulerError {
  declare readonly code: CodeOf<"TaskResolutionError">;
  constructor(code: CodeOf<"TaskResolutionError">, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

/** enqueue() (or another API call) refused its input; nothing was written to Redis. */
export class EnqueueError extends SchedulerError {
  declare readonly code: CodeOf<"EnqueueError">;
  constructor(code: CodeOf<"EnqueueError">, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

/** Redis cannot be reached or answered with an error we cannot recover from. */
export class RedisUnavailableError extends SchedulerError {
  declare readonly code: CodeOf<"RedisUnavailableError">;
  constructor(code: CodeOf<"RedisUnavailableError">, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

/** A job ran past its timeout and was stopped. */
export class JobTimeoutError extends SchedulerError {
  constructor(message: string) {
    super("JOB_TIMEOUT", message);
  }
}

/** The abort reason a running job's signal gets when someone cancels the job (cancel()). */
export class JobCanceledError extends SchedulerError {
  constructor(message: string) {
    super("JOB_CANCELED", message);
  }
}

/**
 * The abort reason a running job's signal gets when its worker finds the job no longer leased
 * to it (reaped while the worker could not reach Redis, then requeued or taken elsewhere): the
 * run stops and writes nothing, the job's new owner decides its fate.
 */
export class JobLeaseLostError extends SchedulerError {
  constructor(message: string) {
    super("JOB_LEASE_LOST", message);
  }
}

/** Thrown by a task to fail its job at once, without the remaining retries. */
export class UnrecoverableError extends Error {
  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "UnrecoverableError";
  }
}

/** One line for any thrown value, for logs and the CLI (never a stack for expected errors). */
export function describeError(err: unknown): string {
  try {
    if (err instanceof SchedulerError) return err.toLine();
    if (err instanceof Error) return err.message || err.name;
    return `non-Error thrown: ${JSON.stringify(err)}`;
  } catch {
    // a getter, toJSON or toString that throws: never let the report itself throw
    try {
      return `non-Error thrown: ${String(err)}`;
    } catch {
      return "a thrown value that cannot be read";
    }
  }
}
