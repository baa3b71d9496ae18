/**
 * The job hash (`<prefix>:job:<id>`): every field name and what it holds. Every value is a
 * string in Redis; `kind` says how job-codec.ts reads it (json: JSON text, flag: "1" when set).
 * TS readers and writers name fields through `jobField`; the .lua scripts keep literal names,
 * and test/contracts checks every field they HGET/HMGET/HSET/HINCRBY/HDEL is in this table.
 */

export interface JobFieldEntry {
  readonly kind: "string" | "number" | "json" | "flag";
  readonly holds: string;
}

export const JOB_FIELDS = {
  // written at enqueue (encodeNewJob) and by enqueue_lib.lua
  method: { kind: "string", holds: "the task's dotted path" },
  queue: { kind: "string", holds: "the queue it runs on" },
  kwargs: { kind: "json", holds: "the keyword arguments the task gets (absent: {})" },
  timeout: { kind: "number", holds: "seconds a run may take before it is stopped" },
  createdAt: { kind: "number", holds: "when enqueue was called (ms; absent: the first enqueuedAt, for a job queued at once)" },
  jobName: { kind: "string", holds: "the name deduplication compares (enqueue's jobName)" },
  task: { kind: "string", holds: "the schedule id of a job a schedule enqueued (e.g. cron:...|my_app.tasks.x)" },
  onFailure: { kind: "string", holds: "the dotted path of its own failure handler" },
  parentId: { kind: "string", holds: "the job this one was enqueued from" },
  retry: { kind: "json", holds: "the retry policy { max, backoff, delay, jitter }" },
  scheduledFor: { kind: "number", holds: "the schedule slot a scheduled job is for (ms)" },
  firstRun: { kind: "string", holds: "the traceparent of the first attempt (kept by the first retry; later runs link to it)" },
  catchup: { kind: "flag", holds: "\"1\" for a catch-up run of a missed slot, \"0\" otherwise" },
  backfill: { kind: "flag", holds: "\"1\" for a job an operator's backfill enqueued" },
  atFront: { kind: "flag", holds: "\"1\": pushed to the front of its queue when due" },
  dependsOn: { kind: "json", holds: "ids of the jobs it waits for" },
  allowFailure: { kind: "flag", holds: "\"1\": runs even when a dependency fails" },
  sig: { kind: "string", holds: "the HMAC over the signed fields (signing)" },
  nonce: { kind: "string", holds: "random, signed: no two signed jobs share a signature" },
  expiresAt: { kind: "number", holds: "with signing.maxAge: workers refuse it after this (ms)" },
  traceparent: { kind: "string", holds: "the W3C trace context of the enqueuing span" },
  // lifecycle, written by the job scripts
  status: { kind: "string", holds: "queued, scheduled, deferred, started, finished, failed or canceled" },
  enqueuedAt: { kind: "number", holds: "when it was last queued (ms)" },
  scheduledAt: { kind: "number", holds: "when a scheduled (delayed) job becomes due (ms)" },
  startedAt: { kind: "number", holds: "when its current or last attempt started (ms)" },
  endedAt: { kind: "number", holds: "when it finished, failed or was canceled (ms)" },
  attempt: { kind: "number", holds: "attempts started so far (absent: 0)" },
  worker: { kind: "string", holds: "the worker that holds (or last held) its lease" },
  stalls: { kind: "number", holds: "times its lease lapsed and it was requeued (absent: 0)" },
  retries: { kind: "number", holds: "automatic retries scheduled so far (absent: 0)" },
  depsLeft: { kind: "number", holds: "dependencies not settled yet (deferred jobs)" },
  childCount: { kind: "number", holds: "jobs ever enqueued from inside this one" },
  cancelRequested: { kind: "number", holds: "when a cancel of the running job was asked (ms)" },
  cancelReason: { kind: "string", holds: "why it was canceled" },
  result: { kind: "json", holds: "what the task returned" },
  error: { kind: "json", holds: "the last error { name, message, stack, code }" },
  progress: { kind: "json", holds: "the last publishProgress { percent, title, description, at }" },
  statusRecord: { kind: "json", holds: "the last setStatus record" },
  hasDependents: { kind: "flag", holds: "\"1\" once a job depends on it: its end settles dependents (scripts only)" },
  // only in a dequeue's answer, never stored
  id: { kind: "string", holds: "the job id (in the key; older hashes and dequeue answers carry it)" },
  takeProblem: { kind: "string", holds: "dequeue's note that the hash is damaged (answer only)" },
} as const satisfies Record<string, JobFieldEntry>;

export type JobField = keyof typeof JOB_FIELDS;

/** Each field by name (`jobField.status`), so a misspelt field fails the typecheck. */
export const jobField = Object.freeze(Object.fromEntries(Object.keys(JOB_FIELDS).map((k) => [k, k]))) as { readonly [K in JobField]: K };
