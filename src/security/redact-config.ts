/**
 * The redaction list this process uses (hooks `redact`, else DEFAULT_REDACT_KEYS), for the
 * places that mask without being handed a config: the logger, the event stream writer, the
 * failure notifiers and `jobs show`. Kept on globalThis like the rest of the runtime state
 * (src/base/process-state.ts): task modules may load their own copy of this package.
 */
import { DEFAULT_REDACT_KEYS, redact } from "./redact.js";
import { redactUrlsIn } from "./redact-url.js";

const KEY = Symbol.for("hooks-scheduler.redact-keys");
type Holder = Record<symbol, readonly string[] | undefined>;

/** Use `keys` from now on (undefined: the default list). Called when a config is resolved. */
export function useRedactKeys(keys: readonly string[] | undefined): void {
  (globalThis as unknown as Holder)[KEY] = keys;
}

/** The list in use. */
export function redactKeys(): readonly string[] {
  return (globalThis as unknown as Holder)[KEY] ?? DEFAULT_REDACT_KEYS;
}

/** `value` masked with the list in use. */
export function redactActive<T>(value: T): T {
  return redact(value, redactKeys());
}

/** A message's URLs masked (messages are free text: only URL passwords can be found in them). */
export function redactMessage(text: string): string {
  return redactUrlsIn(text);
}
