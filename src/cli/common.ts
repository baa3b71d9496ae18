/** Options every command shares, and the one place CLI errors become exit codes and lines. */
import { Command } from "commander";
import { SchedulerError, describeError } from "../errors.js";
import { redactUrlsIn } from "../security/redact-url.js";

export interface CommonOptions {
  hooks?: string;
  redis?: string;
  prefix?: string;
  json?: boolean;
}

/** Add --hooks, --redis, --prefix (and --json where output is data) to a command. */
export function withCommon(cmd: Command, { json = false }: { json?: boolean } = {}): Command {
  cmd
    .option("--hooks <path>", "hooks file (default: discovered from the current folder)")
    .option("--redis <url>", "Redis URL (default: REDIS_URL, hooks `redis`, then the embedded default)")
    // Not commander's .env(): config/resolve.ts reads SCHEDULER_PREFIX, so its errors name it.
    .option("--prefix <prefix>", "Redis key prefix (default: SCHEDULER_PREFIX, hooks `prefix`, then \"hs\")");
  if (json) cmd.option("--json", "print JSON for scripts");
  return cmd;
}

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** A bad argument or flag value: reported as one line with the usage exit code (2). */
export class UsageError extends SchedulerError {
  constructor(message: string, options: { hint?: string } = {}) {
    super("USAGE", message, options);
  }
}

/** Print an expected error as one line (no stack) and return the failure exit code. */
export function reportError(err: unknown): number {
  // Whatever an error quotes (a URL from a flag, a driver's message), no password reaches the screen.
  const line = redactUrlsIn(describeError(err));
  process.stderr.write(`scheduler: ${line}\n`);
  if (!(err instanceof SchedulerError) && process.env.SCHEDULER_DEBUG && err instanceof Error && err.stack) {
    process.stderr.write(`${err.stack}\n`);
  }
  return err instanceof UsageError ? EXIT.usage : EXIT.failure;
}

/** Wrap an async action so its result is the exit code and its errors are one line. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<number | void>) {
  return async (...args: A) => {
    try {
      const code = await fn(...args);
      process.exitCode = code ?? EXIT.ok;
    } catch (err) {
      process.exitCode = reportError(err);
    }
  };
}

/** For commands whose implementation lands with a later issue: say so plainly, exit 1. */
export function notYet(what: string) {
  return action(async () => {
    process.stderr.write(`scheduler: ${what} is not implemented yet\n`);
    return EXIT.failure;
  });
}
