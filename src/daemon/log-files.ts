/**
 * Where the daemon writes its log files. By default `logs/scheduler.log` and `logs/worker.log`
 * in the hooks file's folder (rotated at 10 MB, 5 kept); `--log-file PATH` puts every line in
 * one file; `--no-log-file` writes none (the console only, as systemd and containers want).
 */
import { logFilePath } from "../log/logger.js";

export function daemonLogFiles(cwd: string, flag: string | false | undefined): { scheduler: string; worker: string } | undefined {
  if (flag === false) return undefined;
  if (typeof flag === "string") return { scheduler: flag, worker: flag };
  return { scheduler: logFilePath(cwd, "scheduler"), worker: logFilePath(cwd, "worker") };
}
