/**
 * Records of flat fields (strings, numbers, lists of strings) written to a logger made by
 * createLogger without pino's per-record work: the same line pino writes for
 * `logger[level](fields, msg)` (its level, time and bindings prefix, the fields in order, the
 * message, its line end), with the same redaction (a field whose key names a secret is
 * "[redacted]", URL passwords masked in every string), to the same outputs (the console, the
 * rotated file, any attached sink). The daemon's job lines take this path (a line per job, where
 * pino's generic walk is most of the supervisor's work per job), several lines at a time: one
 * write per output for the lines of one pulse. test/log/flat-record.test.ts compares the lines
 * with pino's byte for byte.
 */
import { pino, type Logger as PinoLogger } from "pino";
import { isSecretKeyIn, REDACTED } from "../security/redact.js";
import { redactKeys, redactMessage } from "../security/redact-config.js";
import { redactUrlsIn } from "../security/redact-url.js";
import { JOINS_LINES, madeByCreateLogger } from "./logger.js";

export type FlatValue = string | number | readonly string[] | undefined;
export type FlatLevel = "debug" | "info" | "warn" | "error";

const S = pino.symbols;
const METADATA = Symbol.for("pino.metadata");
const EPOCH_TIME = pino.stdTimeFunctions.epochTime;

/** pino's number rule: a non-finite number is null. */
export const num = (v: number): string => (Number.isFinite(v) ? String(v) : "null");

/**
 * A string as JSON.stringify writes it: quoted as it is when nothing in it needs escaping (a
 * quote, a backslash, a control character, a surrogate half), which is most ids, names and
 * messages; a scan is cheaper than the general call.
 */
export function quote(v: string): string {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 32 || c === 34 || c === 92 || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(v);
  }
  return `"${v}"`;
}

/** A string as JSON, URL passwords masked (as the logger's formatter masks every string). */
export const str = (v: string): string => quote(redactUrlsIn(v));

/**
 * `,"key":` per key name, or the whole redacted pair for a key the list names: per list (hooks
 * `redact` may change it), capped like redaction's own memory (field names are few and fixed).
 */
const keyParts = new WeakMap<readonly string[], Map<string, string>>();
const MAX_KEYS = 1024;
const REDACTED_JSON = JSON.stringify(REDACTED);

function keyPart(list: readonly string[], key: string): string {
  let parts = keyParts.get(list);
  if (!parts) keyParts.set(list, (parts = new Map()));
  let part = parts.get(key);
  if (part === undefined) {
    part = `,${JSON.stringify(key)}:` + (isSecretKeyIn(list, key) ? REDACTED_JSON : "");
    if (parts.size < MAX_KEYS) parts.set(key, part);
  }
  return part;
}

/** One stream of the logger's multistream, as pino.multistream keeps it. */
interface StreamEntry {
  level: number;
  stream: { write(line: string | Uint8Array): void } & Record<symbol, unknown>;
}

/** A line made here and its level (each output takes the lines at or above its own level). */
export interface FlatLine {
  level: number;
  text: string;
}

/** The flat path of one logger: how its lines start and end, and its outputs. */
export class FlatOutput {
  private readonly p: PinoLogger & Record<symbol, unknown>;
  constructor(logger: PinoLogger) {
    this.p = logger as PinoLogger & Record<symbol, unknown>;
  }

  /** The level's number, or undefined when the logger writes nothing at that level. */
  levelOf(level: FlatLevel): number | undefined {
    return this.p.isLevelEnabled(level) ? this.p.levels.values[level] : undefined;
  }

  /** The redaction list in use (hooks may change it between two records). */
  keys(): readonly string[] {
    return redactKeys();
  }

  /** The last head made, and from what: the lines of one pulse mostly share their millisecond. */
  private last = { n: -1, ms: Number.NaN, time: "", bindings: "", head: "" };

  /** `{"level":N,"time":T` and the logger's bindings, the time read now. */
  head(n: number): string {
    const timeOf = this.p[S.timeSym] as () => string;
    // pino's default time is `,"time":<ms>`: the clock alone tells whether the last head holds
    const ms = timeOf === EPOCH_TIME ? Date.now() : Number.NaN;
    const bindings = this.p[S.chindingsSym] as string;
    const last = this.last;
    if (last.n === n && last.ms === ms && last.bindings === bindings) return last.head;
    const time = timeOf === EPOCH_TIME ? `,"time":${ms}` : timeOf();
    if (last.n === n && last.time === time && last.bindings === bindings) return last.head;
    const head = (this.p[S.lsCacheSym] as Record<number, string>)[n]! + time + bindings;
    this.last = { n, ms, time, bindings, head };
    return head;
  }

  /** `,"key":value` as pino writes the field, or `,"key":"[redacted]"`; "" for undefined. */
  field(list: readonly string[], key: string, v: FlatValue): string {
    if (v === undefined) return "";
    const part = keyPart(list, key);
    if (part.endsWith(REDACTED_JSON)) return part;
    if (typeof v === "string") return part + str(v);
    if (typeof v === "number") return part + num(v);
    return `${part}[${v.map(str).join(",")}]`;
  }

  /** `,"key":` for a value that follows, or the whole `,"key":"[redacted]"` pair. */
  key(list: readonly string[], key: string): string {
    return keyPart(list, key);
  }

  /** Whether the key's value is replaced by "[redacted]" under `list`. */
  redacted(list: readonly string[], key: string): boolean {
    return keyPart(list, key).endsWith(REDACTED_JSON);
  }

  /** `,"msg":`, made once (the logger's message key does not change). */
  private msgPart: string | undefined;

  /** `,"msg":` as the logger names its message key. */
  msgKey(): string {
    return (this.msgPart ??= `,${JSON.stringify(this.p[S.messageKeySym])}:`);
  }

  /** What ends each line (`}` and the line end). */
  lineEnd(): string {
    return this.p[S.endSym] as string;
  }

  /** The message (URL passwords masked, as the logger's hook masks it) and the line end. */
  tail(msg: string): string {
    return this.msgKey() + quote(redactMessage(msg)) + this.lineEnd();
  }

  /** A whole line. */
  line(n: number, fields: Record<string, FlatValue>, msg: string): string {
    const list = this.keys();
    let line = this.head(n);
    for (const key in fields) line += this.field(list, key, fields[key]);
    return line + this.tail(msg);
  }

  /**
   * Write `lines` to every output at or below their level: one write of them all to an output
   * that takes joined lines (the console descriptor, the log file), a write per line to any
   * other (the terminal's formatter and the events sink read one record per write).
   */
  write(lines: readonly FlatLine[]): void {
    if (lines.length === 0) return;
    let least = Infinity;
    for (const l of lines) least = Math.min(least, l.level);
    const streams = ((this.p[S.streamSym] as { streams: StreamEntry[] }).streams);
    // encoded once for every output that takes bytes (each would encode the text itself)
    let all: Uint8Array | undefined;
    for (const dest of streams) {
      const { stream } = dest;
      if (stream[JOINS_LINES] === true) {
        if (dest.level <= least) stream.write((all ??= Buffer.from(lines.length === 1 ? lines[0]!.text : joinLines(lines, 0))));
        else {
          const some = joinLines(lines, dest.level);
          if (some) stream.write(some);
        }
      } else for (const l of lines) if (l.level >= dest.level) stream.write(l.text);
    }
  }
}

/**
 * The lines at or above `least` as one flat string: a join copies them once, where `+=` would
 * leave a rope of thousands of pieces that each output's encode walks (and flattens) again.
 */
function joinLines(lines: readonly FlatLine[], least: number): string {
  const texts: string[] = [];
  for (const l of lines) if (l.level >= least) texts.push(l.text);
  return texts.join("");
}

const outputs = new WeakMap<object, FlatOutput | null>();

/**
 * The flat path of `logger`, or undefined when it has none: a logger not made by createLogger,
 * or one with an output that wants pino's record metadata (the caller then logs through
 * `logger[level]`, whose line this path must equal).
 */
export function flatOutput(logger: object): FlatOutput | undefined {
  let out = outputs.get(logger);
  if (out === undefined) {
    out = null;
    if (madeByCreateLogger(logger)) {
      const multi = (logger as Record<symbol, unknown>)[S.streamSym] as { streams?: StreamEntry[] } | undefined;
      if (Array.isArray(multi?.streams)) out = new FlatOutput(logger as PinoLogger);
    }
    outputs.set(logger, out);
  }
  if (!out) return undefined;
  // checked each time: an output may be added later (attachEventSink)
  for (const dest of ((logger as Record<symbol, unknown>)[S.streamSym] as { streams: StreamEntry[] }).streams) if (dest.stream[METADATA] === true) return undefined;
  return out;
}

/** Write one record; false when `logger` has no flat path (see flatOutput). */
export function writeFlat(logger: object, level: FlatLevel, fields: Record<string, FlatValue>, msg: string): boolean {
  const out = flatOutput(logger);
  if (!out) return false;
  const n = out.levelOf(level);
  if (n !== undefined) out.write([{ level: n, text: out.line(n, fields, msg) }]);
  return true;
}
