/**
 * Real processes of the reliability scenarios: `scheduler start` / `scheduler worker` on the
 * fixture app (test/reliability/fixtures/app), output collected, bounded waits, kill -9.
 */
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { spawnCli } from "../../helpers/cli.js";
import { waitFor } from "../../helpers/redis.js";

export const APP_HOOKS = fileURLToPath(new URL("../fixtures/app/hooks.ts", import.meta.url));
export const CRON_HOOKS = fileURLToPath(new URL("../fixtures/app/hooks-cron.ts", import.meta.url));

export interface Proc {
  proc: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitForOutput(text: string | RegExp, timeoutMs?: number): Promise<void>;
  alive(): boolean;
  /** kill -9 and wait for the exit. */
  kill9(): Promise<void>;
}

export interface SpawnOptions {
  /** The Redis the fixture tasks record to (default: the one the command uses). */
  recordUrl?: string;
  env?: NodeJS.ProcessEnv;
}

/** `scheduler <command> --hooks <hooks> --redis <url> --prefix <prefix> ...args`. */
export function spawnScheduler(command: "start" | "worker", hooks: string, url: string, prefix: string, args: string[] = [], o: SpawnOptions = {}): Proc {
  const proc = spawnCli([command, "--hooks", hooks, "--redis", url, "--prefix", prefix, ...(command === "start" ? ["--json"] : []), ...args], {
    env: { RELIABILITY_REDIS_URL: o.recordUrl ?? url, SCHEDULER_LOG_LEVEL: "info", ...o.env },
  });
  let text = "";
  proc.stdout!.on("data", (d) => (text += d));
  proc.stderr!.on("data", (d) => (text += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on("exit", (code, signal) => resolve({ code, signal })));
  const alive = () => proc.exitCode === null && proc.signalCode === null;
  return {
    proc,
    output: () => text,
    exited,
    alive,
    waitForOutput: async (needle, timeoutMs = 20_000) => {
      await waitFor(() => (typeof needle === "string" ? text.includes(needle) : needle.test(text)), timeoutMs).catch(() => {
        throw new Error(`no ${String(needle)} in the output within ${timeoutMs} ms:\n${text.slice(-3000)}`);
      });
    },
    kill9: async () => {
      if (!alive()) return;
      proc.kill("SIGKILL");
      await exited;
    },
  };
}

/** Stop gracefully (SIGTERM), bounded; kill -9 past the bound. Returns the exit. */
export async function stopProc(p: Proc, timeoutMs = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (!p.alive()) return p.exited;
  p.proc.kill("SIGTERM");
  const timer = setTimeout(() => p.proc.kill("SIGKILL"), timeoutMs);
  try {
    return await p.exited;
  } finally {
    clearTimeout(timer);
  }
}
