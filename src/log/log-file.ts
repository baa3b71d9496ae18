/**
 * The log file writer: rotating-file-stream (classical logrotate naming: worker.log, worker.log.1
 * ... worker.log.N) behind a batching layer.
 *
 * Why batch: rotating-file-stream does per-write bookkeeping (size, rotation checks, promises), so
 * one write per log line drains at a few thousand lines per second, while pino produces lines
 * far faster. Lines are joined and written once per event-loop turn (or every 64 KB), which cuts
 * writes by orders of magnitude. Why cap: pino ignores backpressure, so a stalled disk would grow
 * the buffer without bound; past MAX_PENDING bytes lines are dropped and counted, with one
 * warning on stderr.
 */
import { basename, dirname } from "node:path";
import { createStream, type RotatingFileStream } from "rotating-file-stream";

export interface RotateOptions {
  /** Size per file in rotating-file-stream units: "10M", "512K", "2000B". */
  size?: string;
  /** Rotated files kept besides the live one. */
  files?: number;
}

export const DEFAULT_ROTATE = { size: "10M", files: 5 } as const;

const BATCH_BYTES = 64 * 1024;
const MAX_PENDING = 32 * 1024 * 1024;

export interface LogFile {
  /** Whole lines, as text or as their UTF-8 bytes. */
  write(line: string | Uint8Array): void;
  /** Write what is buffered and close the file. Lines written afterwards are dropped. */
  close(): Promise<void>;
  readonly dropped: number;
}

export function openLogFile(file: string, rotate: RotateOptions = {}): LogFile {
  const base = basename(file);
  // In classical mode rotating-file-stream calls the generator with the rotation number as its
  // first argument (null for the live file), not with a time.
  const stream: RotatingFileStream = createStream((n) => (typeof n === "number" && n > 0 ? `${base}.${n}` : base), {
    path: dirname(file),
    size: rotate.size ?? DEFAULT_ROTATE.size,
    rotate: rotate.files ?? DEFAULT_ROTATE.files,
  });
  let warned = false;
  const warn = (why: string) => {
    // A full disk or a removed folder must not crash the daemon; say so once on stderr.
    if (!warned) process.stderr.write(`scheduler: log file ${file}: ${why}\n`);
    warned = true;
  };
  stream.on("error", (err) => warn(err.message));

  let batch: Array<string | Uint8Array> = [];
  let batchBytes = 0;
  let scheduled = false;
  let dropped = 0;
  const flush = () => {
    scheduled = false;
    if (batch.length === 0 || stream.writableEnded) return;
    stream.write(joined(batch));
    batch = [];
    batchBytes = 0;
  };

  return {
    write(line) {
      if (stream.writableEnded) return;
      if (stream.writableLength + batchBytes > MAX_PENDING) {
        dropped++;
        warn(`writes fall behind by over ${MAX_PENDING >> 20} MB; dropping lines`);
        return;
      }
      batch.push(line);
      batchBytes += line.length;
      if (batchBytes >= BATCH_BYTES) flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    async close() {
      if (stream.writableEnded) return;
      flush();
      await new Promise<void>((resolve) => {
        stream.once("finish", () => resolve());
        stream.end();
      });
    },
    get dropped() {
      return dropped;
    },
  };
}

/** A batch as one write: its text, or its bytes when some lines came as bytes. */
function joined(batch: ReadonlyArray<string | Uint8Array>): string | Uint8Array {
  if (batch.length === 1) return batch[0]!;
  if (batch.every((l) => typeof l === "string")) return batch.join("");
  return Buffer.concat(batch.map((l) => (typeof l === "string" ? Buffer.from(l) : l)));
}
