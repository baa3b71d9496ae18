/**
 * Process logs (pino): pretty on a terminal, JSON lines otherwise, and a size-rotated file under
 * `logs/` (`logs/scheduler.log`, `logs/worker.log`, rotated to `.1` ... `.N` like logrotate).
 *
 * Job code logs through `jobLogger(base, job)`: a pino child whose bindings (jobId, queue, task,
 * attempt) are serialized once per job, so each call on the hot path costs what a plain log does.
 */
import { join } from "node:path";
import { pino, type DestinationStream, type Level, type Logger, type StreamEntry } from "pino";
import pretty from "pino-pretty";
import { createStream, type RotatingFileStream } from "rotating-file-stream";
import type { Job } from "../queue/types.js";
import { createEventSink, type EventSinkOptions } from "./event-sink.js";

export type LogLevel = Level | "silent";

export interface LoggerOptions {
  /** The component: "scheduler", "worker", "cli", ... (the `name` field of every line). */
  name: string;
  level?: LogLevel;
  /** JSON lines on the console even on a terminal. */
  json?: boolean;
  /** Also write JSON lines to this file, rotated by size (see logFilePath for the usual one). */
  file?: string;
  /** Rotation: size per file (rotating-file-stream units "10M", "512K", "2000B") and rotated files kept. */
  rotate?: { size?: string; files?: number };
  /** Console destination (default process.stdout); false: file only. */
  console?: NodeJS.WritableStream | false;
  /** Pretty console lines; default: the console is a TTY and json is not set. */
  pretty?: boolean;
  /** Also copy job lines (and process lines at warn+) to the events stream (see event-sink.ts). */
  events?: EventSinkOptions;
}

export const DEFAULT_ROTATE = { size: "10M", files: 5 } as const;

/** `<cwd>/logs/<name>.log`: where the daemon and workers keep their files. */
export function logFilePath(cwd: string, name: string): string {
  return join(cwd, "logs", `${name}.log`);
}

/** What closeLogger must end for each logger (pino has no close of its own). */
const closers = new WeakMap<Logger, () => Promise<void>>();

function rotatingFile(file: string, rotate: LoggerOptions["rotate"]): RotatingFileStream {
  const slash = Math.max(file.lastIndexOf("/"), file.lastIndexOf("\\"));
  const dir = slash >= 0 ? file.slice(0, slash) : ".";
  const base = slash >= 0 ? file.slice(slash + 1) : file;
  // In classical mode rotating-file-stream calls the generator with the rotation number as its
  // first argument (null for the live file), not with a time.
  const stream = createStream((n) => (typeof n === "number" && n > 0 ? `${base}.${n}` : base), {
    path: dir,
    size: rotate?.size ?? DEFAULT_ROTATE.size,
    // Classical logrotate: scheduler.log -> scheduler.log.1 -> ... -> dropped after N.
    rotate: rotate?.files ?? DEFAULT_ROTATE.files,
  });
  let warned = false;
  stream.on("error", (err) => {
    // A full disk or a removed folder must not crash the daemon; say so once on stderr.
    if (!warned) process.stderr.write(`scheduler: cannot write log file ${file}: ${err.message}\n`);
    warned = true;
  });
  return stream;
}

export function createLogger(options: LoggerOptions): Logger {
  const level = options.level ?? "info";
  const streams: StreamEntry<LogLevel>[] = [];
  const console = options.console === undefined ? process.stdout : options.console;
  if (console) {
    const isTty = (console as NodeJS.WriteStream).isTTY === true;
    const usePretty = options.pretty ?? (isTty && !options.json);
    const dest: DestinationStream = usePretty
      ? pretty({ colorize: isTty, destination: console, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" })
      : console === process.stdout
        ? pino.destination({ dest: 1, sync: true }) // what plain pino() does: no lines lost on exit
        : (console as DestinationStream);
    streams.push({ level, stream: dest });
  }
  let file: RotatingFileStream | undefined;
  if (options.file) {
    const rotating = rotatingFile(options.file, options.rotate);
    file = rotating;
    // Guarded so a line logged after closeLogger is dropped instead of raising "write after end".
    streams.push({ level, stream: { write: (line: string) => void (rotating.writableEnded || rotating.write(line)) } });
  }
  if (options.events) streams.push({ level, stream: createEventSink(options.events) });
  const logger = pino({ name: options.name, level, base: { pid: process.pid } }, pino.multistream(streams));
  closers.set(logger, async () => {
    if (!file || file.writableEnded) return;
    await new Promise<void>((resolve) => {
      file!.once("finish", () => resolve());
      file!.end();
    });
  });
  return logger;
}

/** Flush and close the logger's file (call once at shutdown; later lines go to the console only). */
export async function closeLogger(logger: Logger): Promise<void> {
  await closers.get(logger)?.();
}

export type JobIdentity = Pick<Job, "id" | "queue" | "method"> & Partial<Pick<Job, "attempt">>;

/** A child logger for one job's code: every line carries jobId, queue, task and attempt. */
export function jobLogger(base: Logger, job: JobIdentity): Logger {
  return base.child({ jobId: job.id, queue: job.queue, task: job.method, attempt: job.attempt });
}
