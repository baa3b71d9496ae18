/**
 * Where failure handlers are declared, checked without Redis: hooks `job_failure_handlers` and a
 * scheduler_events entry's `on_failure` (validated, normalized, listed for path resolution,
 * carried into the resolved config), the enqueue option `onFailure`, and which handlers a
 * failure gets (src/worker/failure-handlers.ts handlerPaths).
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validateHooks } from "../../src/hooks/validate.js";
import { problemLine } from "../../src/base/problems.js";
import { normalizeHooks } from "../../src/hooks/normalize.js";
import { allTaskPaths } from "../../src/tasks/task-loader.js";
import { resolveConfig } from "../../src/settings/resolve.js";
import { normalizeOptions } from "../../src/queue/options.js";
import { decodeJob, encodeNewJob } from "../../src/queue/job-codec.js";
import { handlerPaths } from "../../src/worker/failure-handlers.js";
import type { HooksDefinition } from "../../src/hooks/types.js";

const FILE = join(process.cwd(), "hooks.ts");
const problems = (def: Record<string, unknown>) => validateHooks(def, FILE, { unknownKeys: "all" }).map(problemLine);

describe("on_failure in scheduler_events", () => {
  const def: HooksDefinition = {
    scheduler_events: {
      daily: [{ method: "my_app.tasks.report", on_failure: "my_app.alerts.page_ops" }, "my_app.tasks.plain"],
      cron: { "0 9 * * *": [{ method: "my_app.tasks.morning", on_failure: "my_app.alerts.mail" }] },
    },
    job_failure_handlers: ["my_app.alerts.notify_admin"],
  };

  it("is accepted, and a bad path is refused naming its key", () => {
    expect(problems(def as Record<string, unknown>)).toEqual([]);
    const bad = problems({ scheduler_events: { daily: [{ method: "my_app.tasks.report", on_failure: "nodots" }] } });
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatch(/hooks\.ts: scheduler_events\.daily\[0\]\.on_failure: "nodots"/);
    expect(problems({ scheduler_events: { daily: [{ method: "my_app.tasks.report", on_failur: "a.b" }] } })[0]).toMatch(/did you mean "on_failure"/);
  });

  it("is normalized onto the task and listed with every other path to resolve", () => {
    const tasks = normalizeHooks(def);
    expect(tasks.map((t) => [t.method, t.onFailure])).toEqual([
      ["my_app.tasks.report", "my_app.alerts.page_ops"],
      ["my_app.tasks.plain", undefined],
      ["my_app.tasks.morning", "my_app.alerts.mail"],
    ]);
    const paths = allTaskPaths({ file: FILE, definition: def, tasks });
    expect(paths).toEqual([
      { method: "my_app.tasks.report", source: "scheduler_events.daily[0]" },
      { method: "my_app.alerts.page_ops", source: "scheduler_events.daily[0].on_failure" },
      { method: "my_app.tasks.plain", source: "scheduler_events.daily[1]" },
      { method: "my_app.tasks.morning", source: 'scheduler_events.cron["0 9 * * *"][0]' },
      { method: "my_app.alerts.mail", source: 'scheduler_events.cron["0 9 * * *"][0].on_failure' },
      { method: "my_app.alerts.notify_admin", source: "job_failure_handlers[0]" },
    ]);
  });

  it("job_failure_handlers reach the resolved config (and so every worker process); none: no key", () => {
    expect(resolveConfig({ env: {}, hooks: { file: FILE, definition: def, tasks: [] } }).failureHandlers).toEqual(["my_app.alerts.notify_admin"]);
    expect("failureHandlers" in resolveConfig({ env: {}, hooks: { file: FILE, definition: {}, tasks: [] } })).toBe(false);
  });
});

describe("enqueue option onFailure", () => {
  it("takes a dotted path (camelCase or snake_case), is not a kwarg, and survives the job codec", () => {
    const o = normalizeOptions({ onFailure: "my_app.alerts.x", user: "u" });
    expect(o.onFailure).toBe("my_app.alerts.x");
    expect(o.kwargs).toEqual({ user: "u" });
    expect(normalizeOptions({ on_failure: "my_app.alerts.y" }).onFailure).toBe("my_app.alerts.y");
    expect(normalizeOptions({}).onFailure).toBeUndefined();
    const fields = encodeNewJob({ id: "j", method: "a.b", queue: "default", kwargs: {}, timeout: 1, attempt: 0, createdAt: 0, stalls: 0, onFailure: "my_app.alerts.x" });
    expect(decodeJob(fields).onFailure).toBe("my_app.alerts.x");
  });

  it("refuses what is not a dotted path, and two spellings that disagree", () => {
    expect(() => normalizeOptions({ onFailure: "notify" })).toThrow(/enqueue: onFailure "notify" is not a dotted path/);
    expect(() => normalizeOptions({ onFailure: 3 as unknown as string })).toThrow(/onFailure must be a non-empty string/);
    expect(() => normalizeOptions({ onFailure: "a.b", on_failure: "a.c" })).toThrow(/onFailure and on_failure disagree/);
  });
});

describe("handlerPaths", () => {
  it("the hooks' handlers first, then the job's own, each once", () => {
    expect(handlerPaths(["a.x", "a.y"], undefined)).toEqual(["a.x", "a.y"]);
    expect(handlerPaths(["a.x"], "b.own")).toEqual(["a.x", "b.own"]);
    expect(handlerPaths(["a.x", "b.own"], "b.own")).toEqual(["a.x", "b.own"]);
    expect(handlerPaths([], "")).toEqual([]);
  });
});
