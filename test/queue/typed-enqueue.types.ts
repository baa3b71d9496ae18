/**
 * Type-level checks of enqueue()'s typed form, compiled by test/queue/typed-enqueue.redis.test.ts
 * (and by `npm run typecheck`). Never run: each `@ts-expect-error` must meet an error, or the
 * compile fails with "Unused '@ts-expect-error' directive"; `same<A>()(value)` fails to compile
 * unless the value's type is exactly A. (A local helper rather than vitest's expectTypeOf keeps
 * vitest's declarations out of the compile, which is most of its time.)
 */
import { enqueue } from "../../src/queue/enqueue.js";
import type { Job } from "../../src/queue/types.js";

type Exactly<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** `same<Job>()(x)` compiles only when x is exactly a Job. */
const same =
  <Expected>() =>
  <Actual>(_value: Actual & (Exactly<Actual, Expected> extends true ? unknown : never)): void => undefined;

declare function send_invoice(kwargs: { invoice: string; copies?: number }): Promise<{ sent: boolean }>;
declare function with_default({ endpoint }?: { endpoint?: string }): string;
declare function no_args(): number;
declare function untyped(kwargs: any): void; // eslint-disable-line @typescript-eslint/no-explicit-any

export function helperSelfCheck(): void {
  // @ts-expect-error the helper itself refuses a type that is not the expected one
  same<string>()(1);
  // @ts-expect-error nor a wider one
  same<string>()("a" as unknown);
}

export async function typedForm(): Promise<void> {
  // The typed form: kwargs from the task's parameter, every other key an option.
  same<Job>()(await enqueue(send_invoice, { kwargs: { invoice: "INV-1" }, queue: "long" }));
  await enqueue(send_invoice, { kwargs: { invoice: "INV-1", copies: 2 }, queue: "long", timeout: 60, retry: 3, job_id: "inv-1" });
  await enqueue(with_default, { kwargs: {} });
  await enqueue(with_default, { kwargs: { endpoint: "x" }, delay: "10m" });
  await enqueue(no_args, { kwargs: {}, queue: "short" });
  await enqueue(untyped, { kwargs: { anything: 1 } });
  await enqueue("my_app.tasks.x", { kwargs: { anything: 1 }, queue: "long" });

  // @ts-expect-error a typo of an option is an error when kwargs is given
  await enqueue("my_app.tasks.x", { kwargs: {}, qeue: "long" });
  // @ts-expect-error the same with a task function
  await enqueue(send_invoice, { kwargs: { invoice: "INV-1" }, qeue: "long" });
  // @ts-expect-error a missing kwarg
  await enqueue(send_invoice, { kwargs: { copies: 2 } });
  // @ts-expect-error a kwarg of the wrong type
  await enqueue(send_invoice, { kwargs: { invoice: 42 } });
  // @ts-expect-error a kwarg the task does not take
  await enqueue(send_invoice, { kwargs: { invoice: "INV-1", invoce: "x" } });
  // @ts-expect-error a task without parameters takes no kwargs
  await enqueue(no_args, { kwargs: { x: 1 } });
  // @ts-expect-error an option of the wrong type is still an error
  await enqueue(send_invoice, { kwargs: { invoice: "INV-1" }, queue: 7 });
}

export async function runNow(): Promise<void> {
  // Run now: resolves to the task's own result.
  same<{ sent: boolean }>()(await enqueue(send_invoice, { kwargs: { invoice: "INV-1" }, now: true }));
  same<number>()(await enqueue(no_args, { is_async: false }));
  same<unknown>()(await enqueue("my_app.tasks.x", { now: true }));
  // @ts-expect-error the typed form's checks hold when it runs now
  await enqueue(send_invoice, { kwargs: { invoice: "INV-1" }, now: true, qeue: "long" });
}

export async function flatForm(): Promise<void> {
  // Frappe's flat form is unchanged: any key that is not an option is a kwarg.
  same<Job>()(await enqueue("my_app.tasks.x", { queue: "long", data_id: "123" }));
  await enqueue("my_app.tasks.x");
  await enqueue(send_invoice, { invoice: "INV-1", queue: "long" });
  await enqueue("my_app.tasks.x", { job_name: "n", at_front: true, enqueue_after_commit: true, depends_on: ["a"] });
}
