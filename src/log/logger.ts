/**
 * Process logs (pino): one human line per record on a terminal (console-format.ts), JSON lines
 * otherwise, and a size-rotated file under
 * `logs/` (`logs/scheduler.log`, `logs/worker.log`, rotated to `.1` ... `.N` like logrotate).
 *
 * Job code logs through `jobLogger(base, job)`: a pino child whose bindings (jobId, queue, task,
 * attempt) are serialized once per job, so each call on the hot path costs what a plain log does.
 */
import { join, resolve } from "node:path";
import { pino, type DestinationStream, type Level, type Logger as PinoLogger, type StreamEntry } from "pino";
import { consoleDestination } from "./console-format.js";
import { useColor } from "./color.js";
import { createEventSink, type EventSink, type EventSinkOptions } from "./event-sink.js";
import { openLogFile, type LogFile, type RotateOptions } from "./log-file.js";
import { redactActive, redactMessage } from "../security/redact-config.js";

export type LogLevel = Level | "silent";

/**
 * The one logging interface: what code that logs takes (the scheduler, the supervisor, a job's
 * currentJob().log, the embedded Redis...). pino's logger satisfies it, and so does a test's
 * `{ info: (m: string) => lines.push(m), ... }`. Code that needs fewer levels takes
 * `Pick<Logger, "info" | "warn">`. Each call: a message, or an object of fields then a message.
 */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

export interface LoggerOptions {
  /** The component: "scheduler", "worker", "cli", ... (the `name` field of every line). */
  name: string;
  level?: LogLevel;
  /** JSON lines on the console even on a terminal. */
  json?: boolean;
  /** Also write JSON lines to this file, rotated by size (see logFilePath for the usual one). */
  file?: string;
  /** Rotation: size per file ("10M", "512K", "2000B") and rotated files kept; default 10M x 5. */
  rotate?: RotateOptions;
  /**
   * Console destination (default process.stdout); a number: that file descriptor, written as
   * stdout is (see holdable); false: file only.
   */
  console?: NodeJS.WritableStream | number | false;
  /** Human console lines; default: the console is a TTY and json is not set. */
  pretty?: boolean;
  /** IANA zone of the human lines' time column (default: the machine's). */
  zone?: string;
  /** Also copy job lines (and process lines at warn+) to the events stream (see event-sink.ts). */
  events?: EventSinkOptions;
}

export { DEFAULT_ROTATE } from "./log-file.js";

/** `<cwd>/logs/<name>.log`: where the daemon and workers keep their files. */
export function logFilePath(cwd: string, name: string): string {
  return join(cwd, "logs", `${name}.log`);
}

/** How to add an output to a logger made here (its children share it). */
const outputs = new WeakMap<PinoLogger, (entry: StreamEntry<LogLevel>) => void>();

/**
 * Start copying job lines (and process warnings) to the events stream, for a logger made before
 * Redis was reached (the daemon logs while it waits for Redis). Children made before or after
 * this call are included. Returns the sink (its `dropped` count).
 */
export function attachEventSink(logger: PinoLogger, options: EventSinkOptions): EventSink {
  const add = outputs.get(logger);
  if (!add) throw new Error("attachEventSink: this logger was not made by createLogger");
  const sink = createEventSink(options);
  add({ level: logger.level as LogLevel, stream: sink });
  return sink;
}

/**
 * One writer per file: two loggers given the same --log-file share it (two rotating streams on
 * one file would rotate it under each other). Closed when its last logger is.
 */
const openFiles = new Map<string, { file: LogFile; users: number }>();

function sharedLogFile(path: string, rotate: RotateOptions | undefined): LogFile {
  const key = resolve(path);
  let entry = openFiles.get(key);
  if (entry) entry.users += 1;
  else openFiles.set(key, (entry = { file: openLogFile(key, rotate), users: 1 }));
  const shared = entry;
  let closed = false;
  return {
    write: (line) => shared.file.write(line),
    close: async () => {
      if (closed) return;
      closed = true;
      shared.users -= 1;
      if (shared.users > 0) return;
      openFiles.delete(key);
      await shared.file.close();
    },
    get dropped() {
      return shared.file.dropped;
    },
  };
}

/** Loggers made here: their records' shape and redaction are known (flat-record.ts writes them). */
const made = new WeakSet<object>();

export function madeByCreateLogger(logger: object): boolean {
  return made.has(logger);
}

/** What closeLogger must end for each logger (pino has no close of its own). */
const closers = new WeakMap<PinoLogger, () => Promise<void>>();

export function createLogger(options: LoggerOptions): PinoLogger {
  const level = options.level ?? "info";
  const streams: StreamEntry<LogLevel>[] = [];
  const console = options.console === undefined ? process.stdout : options.console;
  if (typeof console === "number") {
    // a descriptor is written as stdout is (the bench points it at a file)
    streams.push({ level, stream: joinsLines(descriptor(console)) });
  } else if (console) {
    const isTty = (console as NodeJS.WriteStream).isTTY === true;
    const usePretty = options.pretty ?? (isTty && !options.json);
    let dest: DestinationStream;
    if (usePretty) dest = consoleDestination({ out: console, zone: options.zone, color: useColor(console) });
    else if (console === process.stdout) {
      // what plain pino() does: no lines lost on exit (JSON lines join as they are)
      dest = joinsLines(descriptor(1));
    } else dest = console as DestinationStream;
    streams.push({ level, stream: dest });
  }
  let file: LogFile | undefined;
  if (options.file) {
    file = sharedLogFile(options.file, options.rotate);
    streams.push({ level, stream: joinsLines(file) });
  }
  if (options.events) streams.push({ level, stream: createEventSink(options.events) });
  const multi = pino.multistream(streams);
  const logger = pino(
    {
      name: options.name,
      level,
      base: { pid: process.pid },
      // Secrets masked in every line, whatever wrote it (src/security/redact.ts): the merged
      // object by key, strings for URL passwords.
      formatters: { log: (obj) => redactActive(obj) },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === "string" ? redactMessage(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    multi,
  );
  outputs.set(logger, (entry) => void multi.add(entry));
  made.add(logger);
  closers.set(logger, async () => {
    await file?.close();
  });
  return logger;
}

/**
 * Marks an output that takes several whole lines in one write, as a string or as their UTF-8
 * bytes (flat-record.ts joins the job lines of one pulse and encodes them once for all such
 * outputs): the console descriptor and the log file, not the terminal's formatter or the events
 * sink, which read one record per write.
 */
export const JOINS_LINES = Symbol("joins lines");

/**
 * A descriptor written synchronously, as pino.destination writes stdout, that also takes bytes.
 * Its writer (sonic-boom) keeps bytes: in its text mode each write is measured, encoded by the
 * write, then encoded again to cut what was written off its buffer; here a string is encoded
 * once, and bytes (flat-record.ts) are written as they are.
 */
function descriptor(fd: number): DestinationStream {
  const dest = pino.destination({ dest: fd, sync: true, contentMode: "buffer" } as Parameters<typeof pino.destination>[0]);
  const write = dest.write.bind(dest) as (data: string | Uint8Array) => boolean;
  // pino's own EPIPE handling replaces `write` on the object: this wrapper goes with it
  (dest as { write(data: string | Uint8Array): boolean }).write = (data) => write(typeof data === "string" ? Buffer.from(data) : data);
  return dest;
}

function joinsLines<T extends object>(dest: T): T {
  (dest as Record<symbol, unknown>)[JOINS_LINES] = true;
  return dest;
}

/** Flush and close the logger's file (call once at shutdown; later lines go to the console only). */
export async function closeLogger(logger: PinoLogger): Promise<void> {
  await closers.get(logger)?.();
}

/** The fields of a job (src/queue/types.ts Job) its log lines carry; declared here, as log sits below the queue. */
export interface JobIdentity {
  id: string;
  queue: string;
  method: string;
  attempt?: number;
}

/** A child logger for one job's code: every line carries jobId, queue, task and attempt. */
export function jobLogger(base: PinoLogger, job: JobIdentity): PinoLogger {
  return base.child({ jobId: job.id, queue: job.queue, task: job.method, attempt: job.attempt });
}

type LogCall = (obj: object | string, msg?: string) => void;

/** A logger made on its first call (a pino child per job costs even when the task never logs). */
export function lazyJobLog(make: () => Pick<PinoLogger, "debug" | "info" | "warn" | "error">): Record<"debug" | "info" | "warn" | "error", LogCall> {
  let log: Pick<PinoLogger, "debug" | "info" | "warn" | "error"> | undefined;
  const get = () => (log ??= make());
  return {
    debug: (obj, msg) => get().debug(obj as object, msg),
    info: (obj, msg) => get().info(obj as object, msg),
    warn: (obj, msg) => get().warn(obj as object, msg),
    error: (obj, msg) => get().error(obj as object, msg),
  };
}
