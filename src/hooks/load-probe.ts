/**
 * Evaluating an app module (the hooks file, a task module) can fail in ways an in-process
 * import() cannot report: `while (true)` at import never returns, a top-level await on a long
 * timer waits as long as it likes, a top-level await that never settles lets the process exit
 * 0 with no word (a false healthy `doctor`), and `process.exit(42)` at import ends the command
 * silently. So the module is first evaluated in a worker thread that can be timed out and whose
 * exit is its own, and only a module whose evaluation finished there is imported here.
 *
 * The price: the module's top-level code runs twice (probe, then for real), once in a thread
 * that is thrown away. Its output in the probe is dropped. An error the probe sees is not
 * reported from here: the real import raises it again with the usual message.
 *
 *   SCHEDULER_LOAD_TIMEOUT  seconds a module's evaluation may take, default 10
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { formatSeconds, secondsFrom } from "../config/env-duration.js";
import { packageEntry } from "./ts-loader.js";

export const DEFAULT_LOAD_TIMEOUT_MS = 10_000;

/** The hint that goes with a probe's line. */
export const PROBE_HINT = "its top-level code must finish on its own: no endless loop, wait or process.exit() at import (SCHEDULER_LOAD_TIMEOUT, seconds, sets the limit; default 10)";

/** SCHEDULER_LOAD_TIMEOUT in ms (a bad value is one ConfigError naming the variable). */
export function loadTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  return secondsFrom(env, "SCHEDULER_LOAD_TIMEOUT", DEFAULT_LOAD_TIMEOUT_MS);
}

// Runs as CommonJS in the thread, so it needs no build step and works from src/ and dist/ alike.
// The loader options are those of ts-loader.ts (namespaces kept as they are, the package aliased).
const PROBE = `
const { parentPort, workerData } = require("node:worker_threads");
const { createJiti } = require(workerData.jiti);
const jiti = createJiti(workerData.base, { interopDefault: false, moduleCache: true, alias: workerData.alias });
jiti.import(workerData.file).then(
  () => parentPort.postMessage({ finished: true }),
  () => parentPort.postMessage({ finished: true, threw: true }),
);
`;

/**
 * Evaluate `file` in a worker thread. Resolves undefined when its evaluation finished (or threw:
 * the real import reports that); else one line saying what went wrong, naming the file as
 * `name`: "loading hooks.ts did not finish in 10 s ...", "hooks.ts exited with code 42 while
 * loading ...", "loading hooks.ts never finished: ...".
 */
export async function probeLoad(file: string, timeoutMs: number, name: string = file): Promise<string | undefined> {
  const entry = packageEntry();
  const worker = new Worker(PROBE, {
    eval: true,
    workerData: { file, jiti: createRequire(import.meta.url).resolve("jiti"), base: import.meta.url, alias: entry ? { "hooks-scheduler": entry } : {} },
    stdout: true,
    stderr: true,
    // The module sees the same environment it will see for real.
    env: process.env,
  });
  // Dropped: the real import prints whatever the module prints, once.
  worker.stdout.resume();
  worker.stderr.resume();
  return new Promise<string | undefined>((resolve) => {
    let settled = false;
    const settle = (problem: string | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // A module that opened handles at import (a client, an interval) would keep the thread up.
      void worker.terminate();
      resolve(problem);
    };
    const timer = setTimeout(() => settle(`loading ${name} did not finish in ${formatSeconds(timeoutMs)}`), timeoutMs);
    worker.once("message", () => settle(undefined));
    worker.once("error", () => settle(undefined));
    worker.once("exit", (code) => {
      if (code !== 0) settle(`${name} exited with code ${code} while loading`);
      else settle(`loading ${name} never finished: a top-level await waits on a promise that never settles (or process.exit(0) at import)`);
    });
  });
}
