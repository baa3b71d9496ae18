/**
 * One record of flat fields (strings, numbers, lists of strings) written to a logger made by
 * createLogger without pino's per-record work: the same line pino writes for
 * `logger[level](fields, msg)` (its level, time and bindings prefix, the fields in order, the
 * message, its line end), with the same redaction (a field whose key names a secret is
 * "[redacted]", URL passwords masked in every string), to the same outputs (the multistream,
 * held console included). The daemon's job lines take this path: a line per job, where pino's
 * generic walk (a redacted copy of the fields, then serializing the copy) is most of the
 * supervisor's work per job. test/log/flat-record.test.ts compares the two lines byte for byte.
 */
import { pino, type Logger as PinoLogger } from "pino";
import { isSecretKeyIn, REDACTED } from "../security/redact.js";
import { redactKeys, redactMessage } from "../security/redact-config.js";
import { redactUrlsIn } from "../security/redact-url.js";
import { madeByCreateLogger } from "./logger.js";

export type FlatValue = string | number | readonly string[] | undefined;
export type FlatLevel = "debug" | "info" | "warn" | "error";

const S = pino.symbols;

/** pino's number rule: a non-finite number is null. */
const num = (v: number): string => (Number.isFinite(v) ? String(v) : "null");

/**
 * A string as JSON.stringify writes it: quoted as it is when nothing in it needs escaping (a
 * quote, a backslash, a control character, a surrogate half), which is most ids, names and
 * messages; a scan is cheaper than the general call.
 */
function quote(v: string): string {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 32 || c === 34 || c === 92 || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(v);
  }
  return `"${v}"`;
}

/** A string as JSON, URL passwords masked (as the logger's formatter masks every string). */
const str = (v: string): string => quote(redactUrlsIn(v));

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

/**
 * Write the record; false when `logger` was not made by createLogger (the caller then logs
 * through `logger[level]`, whose line this path must equal).
 */
export function writeFlat(logger: object, level: FlatLevel, fields: Record<string, FlatValue>, msg: string): boolean {
  if (!madeByCreateLogger(logger)) return false;
  const p = logger as PinoLogger & Record<symbol, unknown>;
  if (!p.isLevelEnabled(level)) return true;
  const n = p.levels.values[level]!;
  const time = (p[S.timeSym] as () => string)();
  const list = redactKeys();
  let line = (p[S.lsCacheSym] as Record<number, string>)[n]! + time + (p[S.chindingsSym] as string);
  for (const key in fields) {
    const v = fields[key];
    if (v === undefined) continue;
    const part = keyPart(list, key);
    line += part;
    if (part.endsWith(REDACTED_JSON)) continue;
    if (typeof v === "string") line += str(v);
    else if (typeof v === "number") line += num(v);
    else line += `[${v.map(str).join(",")}]`;
  }
  line += `,${JSON.stringify(p[S.messageKeySym])}:${quote(redactMessage(msg))}${p[S.endSym] as string}`;
  const stream = p[S.streamSym] as pino.DestinationStream & Record<string | symbol, unknown>;
  // what pino's write tells a stream that wants the record's metadata (pino.multistream does)
  if (stream[S.needsMetadataGsym] === true) {
    stream.lastLevel = n;
    stream.lastObj = fields;
    stream.lastMsg = msg;
    stream.lastTime = time.slice(p[S.timeSliceIndexSym] as number);
    stream.lastLogger = logger;
  }
  stream.write(line);
  return true;
}
