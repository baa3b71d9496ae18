/**
 * Starting the embedded redis-server as a detached process of its own session rather than with
 * `daemonize yes`: it still outlives the daemon that started it (no controlling terminal, so no
 * SIGHUP or Ctrl-C reaches it), and its pid is known from the spawn itself. A daemonized server's
 * pid is known only once it has written its pid file, so a server too slow to answer within the
 * start bound could be left running with nobody to stop it.
 */
import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { PRIVATE_FILE_MODE, withPrivateUmask } from "./private-files.js";
import type { EmbeddedPaths } from "./embedded-redis-files.js";

export interface LaunchedServer {
  /** Undefined only when the spawn itself failed (then exit() says why). */
  readonly pid?: number;
  /** How it ended ("code 1", "signal SIGKILL", a spawn error), or undefined while it runs. */
  exit(): string | undefined;
}

export function launch(bin: string, paths: EmbeddedPaths, env: NodeJS.ProcessEnv): LaunchedServer {
  // stdout/stderr go to the server's own log: a config error printed before the server opens
  // its logfile is in the tail the start-up error quotes.
  const out = openSync(paths.logFile, "a", PRIVATE_FILE_MODE);
  let ended: string | undefined;
  try {
    const run = withPrivateUmask(bin, [paths.conf]);
    const child = spawn(run.command, run.args, { cwd: paths.dir, env, detached: true, stdio: ["ignore", out, out] });
    child.once("error", (e) => (ended ??= `could not start: ${e.message}`));
    child.once("exit", (code, signal) => (ended ??= signal ? `signal ${signal}` : `code ${code}`));
    child.unref();
    return { pid: child.pid, exit: () => ended };
  } finally {
    closeSync(out);
  }
}
