/**
 * The daemon's console on a terminal: one line per record, like `scheduler logs` prints events,
 * instead of pino-pretty's block of metadata:
 *
 *   2026-12-03 10:12:05.123 CET  INFO   worker     worker up  worker=web1.4242.a1b2.1 childPid=4250 queues=short,default
 *   2026-12-03 10:12:06.001 CET  INFO   job        finished   default   my_app.tasks.send  8f3a1b2c  12 ms
 *
 * Time in the configured zone, named in the line. Nested values are written compactly on the
 * same line (`groups=[queues=short,default processes=1 concurrency=10]`). A failed job's stack
 * frames follow on indented lines, as `rq worker` prints a traceback.
 */
import { DateTime } from "luxon";
import { paint, type Colour } from "./color.js";

export interface ConsoleFormatOptions {
  out: NodeJS.WritableStream;
  /** IANA zone of the time column (default: the machine's). */
  zone?: string;
  color?: boolean;
}

const LEVEL_NAME: Array<[number, string, Colour]> = [
  [50, "ERROR", "red"],
  [40, "WARN", "yellow"],
  [30, "INFO", "cyan"],
  [0, "DEBUG", "gray"],
];
/** Fields every record has, or that the line shows in its own columns. */
const SHOWN = new Set(["level", "time", "msg", "pid", "hostname", "name", "v", "kind"]);
const JOB_SHOWN = new Set([...SHOWN, "outcome", "jobId", "queue", "task", "ms", "error", "frames", "worker", "attempt"]);
const OUTCOME_COLOUR: Record<string, Colour> = { finished: "green", failed: "red", "timed-out": "red", abandoned: "red", unrecorded: "red" };

function scalar(v: unknown): string {
  if (typeof v === "string") return /\s/.test(v) || v === "" ? JSON.stringify(v) : v;
  if (v === null || typeof v !== "object") return String(v);
  if (Array.isArray(v)) return v.every((x) => x === null || typeof x !== "object") ? v.join(",") : `[${v.map(scalar).join("; ")}]`;
  return Object.entries(v as Record<string, unknown>)
    .filter(([, x]) => x !== undefined)
    .map(([k, x]) => `${k}=${scalar(x)}`)
    .join(" ");
}

/** The time column, made once per second (formatting a zoned time per line is not free). */
function timeFormatter(zone: string | undefined): (ms: number) => string {
  let second = -1;
  let prefix = "";
  let suffix = "";
  return (ms) => {
    const s = Math.floor(ms / 1000);
    if (s !== second) {
      second = s;
      const t = zone ? DateTime.fromMillis(s * 1000, { zone }) : DateTime.fromMillis(s * 1000);
      prefix = t.toFormat("yyyy-LL-dd HH:mm:ss");
      suffix = t.toFormat("ZZZZ");
    }
    return `${prefix}.${String(ms % 1000).padStart(3, "0")} ${suffix}`;
  };
}

export function formatRecord(record: Record<string, unknown>, when: (ms: number) => string, color: boolean): string {
  const level = Number(record.level ?? 30);
  const [, name, colour] = LEVEL_NAME.find(([min]) => level >= min)!;
  const time = when(typeof record.time === "number" ? record.time : Date.now());
  const isJob = record.kind === "job";
  const component = isJob ? "job" : typeof record.name === "string" ? record.name : "-";
  let msg = typeof record.msg === "string" ? record.msg : "";
  if (isJob && color) {
    const outcome = String(record.outcome ?? "");
    const label = msg.slice(0, 9);
    msg = paint(true, OUTCOME_COLOUR[outcome] ?? "yellow", label) + msg.slice(9);
  }
  const shown = isJob ? JOB_SHOWN : SHOWN;
  const extra = Object.keys(record)
    .filter((k) => !shown.has(k) && record[k] !== undefined)
    .map((k) => `${k}=${scalar(record[k])}`)
    .join(" ");
  let line = `${paint(color, "gray", time)}  ${paint(color, colour, name.padEnd(5))}  ${component.padEnd(9)}  ${msg}${extra ? `  ${paint(color, "gray", extra)}` : ""}`;
  if (isJob && Array.isArray(record.frames)) for (const f of record.frames) line += `\n      ${paint(color, "gray", String(f))}`;
  return line;
}

/** A pino destination that prints each JSON line as one human line. */
export function consoleDestination(options: ConsoleFormatOptions): { write(line: string): void } {
  const when = timeFormatter(options.zone);
  const color = options.color ?? false;
  return {
    write(line: string) {
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        options.out.write(line);
        return;
      }
      options.out.write(`${formatRecord(record, when, color)}\n`);
    },
  };
}
