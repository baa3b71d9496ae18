/**
 * The Redis URL and prefix a client command takes from its flags or the environment when no
 * hooks config was resolved (none found, or the server and prefix were named outright). They
 * are checked exactly as settings/resolve.ts checks them, with the same labels: a bad value is
 * one line naming `--redis`, `REDIS_URL`, `--prefix` or `SCHEDULER_PREFIX`, before any
 * connection is opened.
 */
import { ConfigError } from "../base/errors.js";
import { checkPrefix, checkRedisUrl } from "../redis/settings-checks.js";

type Check = (value: unknown) => string | undefined;

/** The flag's value, else the variable's; undefined when neither is given. Throws when the one given is bad. */
function direct(flag: [string, string | undefined], variable: [string, string | undefined], check: Check, emptyEnvIsSet: boolean): string | undefined {
  const [label, value] =
    flag[1] !== undefined ? flag : variable[1] !== undefined && (variable[1] !== "" || emptyEnvIsSet) ? variable : [undefined, undefined];
  if (label === undefined || value === undefined) return undefined;
  const problem = check(value);
  if (problem) throw new ConfigError("CONFIG_INVALID", `${label}: ${problem}`);
  return value;
}

/** `--redis` over REDIS_URL (an empty REDIS_URL counts as not set, as everywhere). */
export function directRedisUrl(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  return direct(["--redis", flag], ["REDIS_URL", env.REDIS_URL], checkRedisUrl, false);
}

/** `--prefix` over SCHEDULER_PREFIX; an empty one is refused, never read as the default "hs". */
export function directPrefix(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  return direct(["--prefix", flag], ["SCHEDULER_PREFIX", env.SCHEDULER_PREFIX], checkPrefix, true);
}
