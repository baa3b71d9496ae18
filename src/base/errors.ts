/**
 * Every error the product raises on purpose. `code` is stable (scripts and tests match on it),
 * `message` is one line that says what and where, `hint` says what to do.
 */
export class SchedulerError extends Error {
  readonly code: string;
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
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

/** The hooks file cannot be loaded or does not validate. */
export class HooksError extends SchedulerError {}

/** Config from flags, environment or the hooks file is invalid. */
export class ConfigError extends SchedulerError {}

/** A dotted task path does not resolve to an exported function inside the app root. */
export class TaskResolutionError extends SchedulerError {}

/** enqueue() refused its input; nothing was written to Redis. */
export class EnqueueError extends SchedulerError {}

/** Redis cannot be reached or answered with an error we cannot recover from. */
export class RedisUnavailableError extends SchedulerError {}

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
