/**
 * Prints events for `scheduler logs`: JSON lines, human lines, or on a terminal human lines with
 * a live progress bar per running job (cli-progress) fed by job.progress events. A bar is removed
 * when its job ends, and the multibar exists only while some bar does, so nothing keeps a timer
 * running (or the process alive) when no job is in progress.
 */
import cliProgress from "cli-progress";
import type { StoredEvent } from "./read-events.js";
import { describeProgress, formatEvent, progressOf } from "./format-event.js";
import { redactActive } from "../security/redact-config.js";
import { escapeStrings } from "../security/terminal-text.js";

export interface PrinterOptions {
  out: NodeJS.WritableStream;
  json?: boolean;
  /** Live bars for progress events (default: the output is a TTY and json is off). */
  bars?: boolean;
  color?: boolean;
  zone?: string;
  /** Name the zone in each line's time column. */
  zoneName?: boolean;
}

export interface EventPrinter {
  print(event: StoredEvent): void;
  /** Stop any live bars (leaves the terminal clean); call before exiting. */
  close(): void;
}

/** Event types after which a job shows no more progress. */
const JOB_END = new Set(["job.finished", "job.failed", "job.canceled", "job.abandoned"]);

export function createPrinter(options: PrinterOptions): EventPrinter {
  const { out } = options;
  if (options.json) {
    return { print: (event) => void out.write(`${JSON.stringify(redactActive(event))}\n`), close: () => {} };
  }
  const inner = createTextPrinter(options);
  // Events come from Redis: secrets masked (also in events written before a redact list was
  // set) and control characters escaped before any formatting adds colours of its own.
  return { print: (event) => inner.print(escapeStrings(redactActive(event))), close: () => inner.close() };
}

function createTextPrinter(options: PrinterOptions): EventPrinter {
  const { out } = options;
  const useBars = options.bars ?? ((out as NodeJS.WriteStream).isTTY === true);
  const line = (event: StoredEvent) => formatEvent(event, { color: options.color, zone: options.zone, zoneName: options.zoneName });
  if (!useBars) return { print: (event) => void out.write(`${line(event)}\n`), close: () => {} };

  let multibar: cliProgress.MultiBar | undefined;
  const bars = new Map<string, cliProgress.SingleBar>();
  const write = (text: string) => (multibar ? multibar.log(`${text}\n`) : out.write(`${text}\n`));
  const drop = (jobId: string) => {
    const bar = bars.get(jobId);
    if (!bar || !multibar) return;
    multibar.remove(bar);
    bars.delete(jobId);
    if (bars.size === 0) {
      multibar.stop();
      multibar = undefined;
    }
  };

  return {
    print(event) {
      const progress = progressOf(event);
      if (progress && event.jobId) {
        multibar ??= new cliProgress.MultiBar(
          {
            stream: out,
            format: "{job} [{bar}] {percentage}% {text}",
            hideCursor: true,
            clearOnComplete: false,
            // A logged line clears the bar rows; without this the bars stay blank until they change.
            forceRedraw: true,
            barsize: 30,
            fps: 10,
          },
          cliProgress.Presets.shades_classic,
        );
        const text = describeProgress(progress).replace(/^\d+%\s?/, "");
        const existing = bars.get(event.jobId);
        if (existing) existing.update(progress.percent, { text });
        else bars.set(event.jobId, multibar.create(100, progress.percent, { job: event.jobId, text }));
        return;
      }
      if (event.jobId && JOB_END.has(event.type)) drop(event.jobId);
      write(line(event));
    },
    close() {
      multibar?.stop();
      multibar = undefined;
      bars.clear();
    },
  };
}
