/** Options every command shares, and the one place CLI errors become exit codes and lines. */
import { Command } from "commander";
import { SchedulerError, describeError } from "../base/errors.js";
import { USAGE_EXIT_CODES, type ErrorCode } from "../base/errors.js";
import { redactUrlsIn } from "../security/redact-url.js";
import { mergedOptions } from "./global-options.js";

export interface CommonOptions {
  hooks?: string;
  redis?: string;
  prefix?: string;
  json?: boolean;
  /** Show times in UTC instead of the configured zone. */
  utc?: boolean;
}

/**
 * Add --hooks, --redis, --prefix, --utc (and --json) to a command. The program declares the same
 * options (global-options.ts), so they work before the subcommand too; here they make the
 * command's own --help list them. Every command prints data or a result: --json is on all.
 */
export function withCommon(cmd: Command, _options: { json?: boolean } = {}): Command {
  cmd
    .option("--hooks <path>", "hooks file (default: discovered from the current folder)")
    .option("--redis <url>", "Redis URL (default: REDIS_URL, hooks `redis`, then the embedded default)")
    // Not commander's .env(): settings/resolve.ts reads SCHEDULER_PREFIX, so its errors name it.
    .option("--prefix <prefix>", "Redis key prefix (default: SCHEDULER_PREFIX, hooks `prefix`, then \"hs\")")
    .option("--json", "print JSON for scripts (errors too: {\"error\": {code, message, hint}} on stdout)")
    .option("--utc", "show times in UTC instead of the configured zone");
  return cmd;
}

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** A bad argument or flag value: reported as one line with the usage exit code (2). */
export class UsageError extends SchedulerError {
  constructor(message: string, options: { hint?: string } = {}) {
    super("USAGE", message, options);
  }
}


export function isUsageError(err: unknown): boolean {
  if (!(err instanceof SchedulerError)) return false;
  // Flag values checked by shared code (worker groups, --grace) say which flag: "--queue: ...".
  // Codes about what was typed on the command line (exit 2 in the catalog), whoever raised them.
  return USAGE_EXIT_CODES.has(err.code) || (err.code === "CONFIG_INVALID" && err.message.startsWith("--"));
}

/** The JSON form of an error under --json: `{"error": {"code", "message", "hint"}}`. */
export function errorJson(err: unknown): string {
  const code: ErrorCode = err instanceof SchedulerError ? err.code : "INTERNAL";
  // Whatever an error quotes (a URL from a flag, a driver's message), no password reaches the screen.
  const message = redactUrlsIn(err instanceof SchedulerError ? err.message : describeError(err));
  const hint = err instanceof SchedulerError ? err.hint : undefined;
  return `${JSON.stringify({ error: { code, message, ...(hint ? { hint } : {}) } })}\n`;
}

/** Print an expected error as one line (no stack), or as JSON on stdout, and return the exit code. */
export function reportError(err: unknown, json = false): number {
  const code = isUsageError(err) ? EXIT.usage : EXIT.failure;
  if (json) {
    process.stdout.write(errorJson(err));
    return code;
  }
  process.stderr.write(`scheduler: ${redactUrlsIn(describeError(err))}\n`);
  if (!(err instanceof SchedulerError) && process.env.SCHEDULER_DEBUG && err instanceof Error && err.stack) {
    process.stderr.write(`${err.stack}\n`);
  }
  return code;
}

/**
 * Wrap an async action so its result is the exit code and its errors are one line. The options
 * it gets are merged with those given before the subcommand (`scheduler --redis URL status`).
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<number | void>) {
  return async (...args: A) => {
    const cmd = args[args.length - 1];
    let json = false;
    if (cmd instanceof Command && args.length >= 2) {
      const merged = mergedOptions(cmd);
      json = merged.json === true;
      args[args.length - 2] = merged;
    }
    try {
      const code = await fn(...args);
      process.exitCode = code ?? EXIT.ok;
    } catch (err) {
      process.exitCode = reportError(err, json);
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
