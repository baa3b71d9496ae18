/**
 * The typed form of enqueue()'s options: `enqueue(task, { kwargs: {...}, queue: "long" })`.
 * When `kwargs` is given, every other key must be an option (a typo like `qeue` is a type error
 * instead of becoming a kwarg), and when the task is passed as a function, `kwargs` is typed from
 * its parameter (missing, extra or mistyped kwargs are errors). Without `kwargs` the flat form
 * applies unchanged: the options plus any other key as a kwarg, as in frappe.enqueue(**kwargs).
 * Types only: at run time both forms go through normalizeOptions.
 */
import type { EnqueueOptionFields } from "./options.js";

/** Every key the typed form allows. */
export type OptionKey = keyof EnqueueOptionFields;

/**
 * The kwargs a task takes: its parameter type (without the `undefined` a default value adds);
 * any object for a dotted path or an untyped (`any`) parameter; nothing for a task without one.
 */
export type KwargsOf<M> = M extends (...args: infer P) => unknown
  ? P extends []
    ? Record<string, never>
    : 0 extends 1 & P[0]
      ? Record<string, unknown>
      : NonNullable<P[0]>
  : Record<string, unknown>;

/** Keys of `O` that are not in `Allowed`, each required to be `never` (so any value is an error). */
type Forbid<O, Allowed> = { [K in Exclude<keyof O, Allowed>]: never };

/**
 * What options `O` must also satisfy for method `M`: nothing in the flat form (no `kwargs` key);
 * in the typed form, only option keys beside `kwargs`, and `kwargs` matching the task's parameter.
 */
export type KwargsCheck<M, O> = "kwargs" extends keyof O
  ? Forbid<O, OptionKey> & { kwargs: KwargsOf<M> & Forbid<O extends { kwargs?: infer K } ? K : never, keyof KwargsOf<M>> }
  : unknown;

/** What a run-now enqueue resolves to: the task's result when the task is a function. */
export type TaskResult<M> = M extends (...args: never[]) => infer R ? Awaited<R> : unknown;
