/**
 * Real processes of the reliability scenarios: `scheduler start` / `scheduler worker` on the
 * fixture app (test/reliability/fixtures/app), watched through test/helpers/spawn.ts.
 */
import { fileURLToPath } from "node:url";
import { startCli, type Watched } from "../../helpers/spawn.js";

export const APP_HOOKS = fileURLToPath(new URL("../fixtures/app/hooks.ts", import.meta.url));
export const CRON_HOOKS = fileURLToPath(new URL("../fixtures/app/hooks-cron.ts", import.meta.url));

export interface SpawnOptions {
  /** The Redis the fixture tasks record to (default: the one the command uses). */
  recordUrl?: string;
  env?: NodeJS.ProcessEnv;
}

/** `scheduler <command> --hooks <hooks> --redis <url> --prefix <prefix> ...args`. */
export function spawnScheduler(command: "start" | "worker", hooks: string, url: string, prefix: string, args: string[] = [], o: SpawnOptions = {}): Watched {
  return startCli([command, "--hooks", hooks, "--redis", url, "--prefix", prefix, ...(command === "start" ? ["--json"] : []), ...args], {
    env: { RELIABILITY_REDIS_URL: o.recordUrl ?? url, SCHEDULER_LOG_LEVEL: "info", ...o.env },
  });
}
