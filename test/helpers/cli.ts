/** Spawn the real built CLI (bin/scheduler.js) and collect its output and exit code. */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export const BIN = fileURLToPath(new URL("../../bin/scheduler.js", import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  input?: string;
}

/** Run `scheduler <args>` to completion (killed after timeoutMs, default 20 s). */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, options);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 20_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
    else child.stdin!.end();
  });
}

/** Start `scheduler <args>` and return the live process (for daemons and -f). */
export function spawnCli(args: string[], options: CliOptions = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, FORCE_COLOR: "0", ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
}

/**
 * Start `scheduler <args>` on a pseudo-terminal (util-linux `script`): its stdout is a TTY and
 * ^C written to the returned process's stdin is SIGINT. `exec` keeps the shell `script` starts
 * out of the way: left between the terminal and node, it would die of ^C itself and `script`
 * would report the shell's 130 instead of node's own exit code.
 */
export function spawnCliOnTty(args: string[], options: CliOptions = {}): ChildProcess {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  return spawn("script", ["-qfec", `exec ${quoted}`, "/dev/null"], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, FORCE_COLOR: "0", SHELL: "/bin/sh", ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
}

/** What a live CLI process has printed so far, and its exit code once it closes. */
export interface Captured {
  stdout(): string;
  stderr(): string;
  closed: Promise<number | null>;
}

export function capture(child: ChildProcess): Captured {
  let out = "";
  let err = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (err += d));
  const closed = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { stdout: () => out, stderr: () => err, closed };
}
