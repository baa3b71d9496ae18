/**
 * What a child prints reaches the supervisor's logger, so it lands in logs/worker.log (and its
 * rotation) as well as on the console: JSON lines of the child's own logger keep their level and
 * fields; anything else (a task's console.log, a crash's stack on stderr) becomes one log line
 * tagged with the worker and the stream it came from.
 */
import type { Logger } from "../../log/logger.js";

const LEVEL_METHOD: Array<[number, keyof Logger]> = [
  [50, "error"],
  [40, "warn"],
  [30, "info"],
  [0, "debug"],
];
/** Fields the receiving logger sets itself. */
const OWN = new Set(["level", "time", "pid", "hostname", "v"]);

export function forwardChildLine(log: Logger, worker: string, line: string, stream: "stdout" | "stderr"): void {
  if (line.trim() === "") return;
  if (line.startsWith("{")) {
    try {
      const record = JSON.parse(line) as Record<string, unknown>;
      const level = typeof record.level === "number" ? record.level : 30;
      const method = LEVEL_METHOD.find(([min]) => level >= min)![1];
      const fields: Record<string, unknown> = { worker };
      for (const [k, v] of Object.entries(record)) if (!OWN.has(k) && k !== "msg") fields[k] = v;
      log[method](fields, typeof record.msg === "string" ? record.msg : "");
      return;
    } catch {
      /* not JSON after all: forwarded as text below */
    }
  }
  log[stream === "stderr" ? "warn" : "info"]({ worker, stream }, line);
}
