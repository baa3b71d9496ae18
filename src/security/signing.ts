/**
 * Payload signing: with a shared secret configured (hooks `signing: { secret }` or env
 * SCHEDULER_SIGNING_SECRET), every job written by enqueue carries `sig`, an HMAC-SHA256 over its
 * id, method and kwargs (as stored), and workers refuse a job whose `sig` is missing or wrong.
 *
 * Why: anyone who can write to Redis can otherwise make a worker call any exported task with any
 * kwargs. Task paths are already confined to the app's own exports (src/hooks/task-loader.ts);
 * signing also stops forged or altered kwargs. The secret never goes to Redis.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { UnrecoverableError } from "../errors.js";

export interface SigningConfig {
  /** Shared by every process that enqueues or runs jobs of this installation. */
  secret: string;
}

/** Secrets shorter than this are refused by config validation (an HMAC key should not be guessable). */
export const MIN_SECRET_LENGTH = 16;

/** What is signed: the three fields that decide what runs, exactly as stored in the job hash. */
export interface SignedFields {
  id: string;
  method: string;
  /** The JSON text of the kwargs as written to Redis (job hash field `kwargs`). */
  kwargs: string;
}

/** Length-prefixed, so no two different (id, method, kwargs) triples give the same input. */
function message(f: SignedFields): string {
  return `v1\n${f.id.length}:${f.id}\n${f.method.length}:${f.method}\n${f.kwargs.length}:${f.kwargs}`;
}

/** The hex HMAC-SHA256 of a job's fields. */
export function signJob(secret: string, fields: SignedFields): string {
  return createHmac("sha256", secret).update(message(fields)).digest("hex");
}

/** undefined when `sig` is the right signature; otherwise why not (one line, for the failed job). */
export function signatureProblem(secret: string, fields: SignedFields, sig: string | undefined): string | undefined {
  if (sig === undefined || sig === "") return "job is not signed, and this worker requires signed jobs (signing.secret is set)";
  const expected = Buffer.from(signJob(secret, fields), "hex");
  const given = Buffer.from(sig, "hex");
  // Buffer.from(.., "hex") drops what is not hex: compare lengths of the text as well.
  if (sig.length !== expected.length * 2 || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return "job signature does not match its id, method and kwargs (written by a process without the secret, or altered in Redis)";
  }
  return undefined;
}

/** A job refused for its signature: never retried (running it again cannot make it valid). */
export class JobRejectedError extends UnrecoverableError {
  readonly code = "JOB_REJECTED";
  constructor(reason: string) {
    super(`rejected: ${reason}`);
    this.name = "JobRejectedError";
  }
}

/** Check of a configured secret; undefined when fine, else one line saying what to write. */
export function checkSigning(value: unknown): string | undefined {
  const usage = `write signing: { secret: "<at least ${MIN_SECRET_LENGTH} characters>" } (or set SCHEDULER_SIGNING_SECRET)`;
  if (typeof value !== "object" || value === null || Array.isArray(value)) return `must be an object; ${usage}`;
  const extra = Object.keys(value).filter((k) => k !== "secret");
  if (extra.length > 0) return `unknown key "${extra[0]}"; ${usage}`;
  return checkSecret((value as { secret?: unknown }).secret);
}

export function checkSecret(secret: unknown): string | undefined {
  if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH) {
    return `secret must be a string of at least ${MIN_SECRET_LENGTH} characters, got ${typeof secret === "string" ? `${secret.length} characters` : JSON.stringify(secret) ?? String(secret)}`;
  }
  return undefined;
}
