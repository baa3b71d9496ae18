/**
 * Payload signing: with a shared secret configured (hooks `signing: { secret }` or env
 * SCHEDULER_SIGNING_SECRET), every job written by enqueue carries `sig`, an HMAC-SHA256 over
 * every field that decides what runs, where and how (SIGNED_FIELDS, in a canonical encoding),
 * and workers refuse a job whose `sig` is missing or does not match those fields as stored.
 *
 * Why: anyone who can write to Redis can otherwise make a worker call any exported task with any
 * kwargs, or keep the task and change its failure handler, queue, timeout or retry policy. The
 * secret never goes to Redis.
 *
 * Replay: a signed job copied back into a queue after it ran still carries a valid signature.
 * Bookkeeping in Redis (a used-nonce set) cannot stop that, since whoever can write Redis can
 * erase it; what can is time. With `signing.maxAge` (seconds) every job signs an `expiresAt`
 * (its run-at plus maxAge) and a worker refuses it after that moment. Every signed job also
 * signs a random `nonce`, so no two jobs ever share a signature.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { UnrecoverableError } from "../base/errors.js";
import { codes } from "../base/errors.js";

export interface SigningConfig {
  /** Shared by every process that enqueues or runs jobs of this installation. */
  secret: string;
  /** Seconds after its run-at a signed job is still accepted (absent: no expiry). */
  maxAge?: number;
}

/** Secrets shorter than this are refused by config validation (an HMAC key should not be guessable). */
export const MIN_SECRET_LENGTH = 16;

/**
 * What is signed, in this order: the job hash fields that decide what runs (method, kwargs),
 * where (queue) and how (timeout, retry, onFailure, dependsOn, allowFailure), its identity
 * (id, createdAt, nonce) and its validity (expiresAt). Counters and progress are not signed:
 * the queue changes them as the job moves.
 */
export const SIGNED_FIELDS = ["id", "method", "queue", "kwargs", "timeout", "retry", "onFailure", "dependsOn", "allowFailure", "createdAt", "nonce", "expiresAt"] as const;

export type SignedFieldName = (typeof SIGNED_FIELDS)[number];

/** Each field as stored in the job hash (absent: not written). */
export type SignedFields = { id: string; method: string; kwargs: string } & Partial<Record<SignedFieldName, string>>;

/**
 * Canonical encoding: a version line, then every field in SIGNED_FIELDS order as
 * `name=<length>:<value>` or `name!` when absent. Length-prefixed, so no two different sets of
 * values give the same input, and absent differs from empty.
 */
function message(f: SignedFields): string {
  let out = "v2\n";
  for (const name of SIGNED_FIELDS) {
    const v = f[name];
    out += v === undefined ? `${name}!\n` : `${name}=${v.length}:${v}\n`;
  }
  return out;
}

/** The hex HMAC-SHA256 of a job's fields. */
export function signJob(secret: string, fields: SignedFields): string {
  return createHmac("sha256", secret).update(message(fields)).digest("hex");
}

/**
 * The signed fields of a job hash about to be written (encodeNewJob's fields plus the id).
 * Absent kwargs (encodeNewJob leaves {} out) are signed as "{}", the text a worker computes
 * from the decoded job (signedFieldsOfJob).
 */
export function signedFieldsOfHash(id: string, hash: Record<string, string>): SignedFields {
  const f: SignedFields = { id, method: hash.method ?? "", kwargs: hash.kwargs ?? "{}" };
  for (const name of SIGNED_FIELDS) if (name !== "id" && hash[name] !== undefined) f[name] = hash[name];
  return f;
}

/**
 * Sign a job hash in place: add the nonce, the expiry when `maxAge` is set (from `runAt`, the
 * moment the job is due), then `sig` over the signed fields.
 */
export function signHash(config: SigningConfig, id: string, hash: Record<string, string>, runAt: number): void {
  hash.nonce = randomBytes(12).toString("hex");
  if (config.maxAge !== undefined) hash.expiresAt = String(Math.round(runAt + config.maxAge * 1000));
  hash.sig = signJob(config.secret, signedFieldsOfHash(id, hash));
}

/**
 * undefined when `sig` is the right signature of `fields` and the job has not expired at `now`;
 * otherwise why not (one line, for the failed job).
 */
export function signatureProblem(secret: string, fields: SignedFields, sig: string | undefined, now?: number): string | undefined {
  if (sig === undefined || sig === "") return "job is not signed, and this worker requires signed jobs (signing.secret is set)";
  const expected = Buffer.from(signJob(secret, fields), "hex");
  const given = Buffer.from(sig, "hex");
  // Buffer.from(.., "hex") drops what is not hex: compare lengths of the text as well.
  if (sig.length !== expected.length * 2 || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return `job signature does not match its signed fields (${SIGNED_FIELDS.join(", ")}): written by a process without the secret, or altered in Redis`;
  }
  const expires = fields.expiresAt === undefined ? undefined : Number(fields.expiresAt);
  if (now !== undefined && expires !== undefined && now > expires) {
    return `job signature expired at ${new Date(expires).toISOString()} (signing.maxAge): a replayed job, or one that waited longer than maxAge allows`;
  }
  return undefined;
}

/** A job refused for its signature: never retried (running it again cannot make it valid). */
export class JobRejectedError extends UnrecoverableError {
  readonly code = codes.JOB_REJECTED;
  constructor(reason: string) {
    super(`rejected: ${reason}`);
    this.name = "JobRejectedError";
  }
}

/** The longest signing.maxAge accepted: a year. */
export const MAX_SIGNING_AGE = 365 * 24 * 3600;

/** Check of a configured secret; undefined when fine, else one line saying what to write. */
export function checkSigning(value: unknown): string | undefined {
  const usage = `write signing: { secret: "<at least ${MIN_SECRET_LENGTH} characters>", maxAge?: <seconds> } (or set SCHEDULER_SIGNING_SECRET)`;
  if (typeof value !== "object" || value === null || Array.isArray(value)) return `must be an object; ${usage}`;
  const extra = Object.keys(value).filter((k) => k !== "secret" && k !== "maxAge");
  if (extra.length > 0) return `unknown key "${extra[0]}"; ${usage}`;
  const maxAge = (value as { maxAge?: unknown }).maxAge;
  if (maxAge !== undefined && !(typeof maxAge === "number" && Number.isFinite(maxAge) && maxAge > 0 && maxAge <= MAX_SIGNING_AGE)) {
    return `maxAge must be seconds > 0 and at most ${MAX_SIGNING_AGE} (a year), got ${JSON.stringify(maxAge) ?? String(maxAge)}`;
  }
  return checkSecret((value as { secret?: unknown }).secret);
}

export function checkSecret(secret: unknown): string | undefined {
  if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH) {
    return `secret must be a string of at least ${MIN_SECRET_LENGTH} characters, got ${typeof secret === "string" ? `${secret.length} characters` : JSON.stringify(secret) ?? String(secret)}`;
  }
  return undefined;
}
