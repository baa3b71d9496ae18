/**
 * Fuzz: random hooks definitions (random shapes, wrong types, huge lists, bad cron, unicode
 * paths) through validation and normalization (src/hooks). Validation never throws and says
 * each problem in one line naming its key; a definition it accepts normalizes into tasks whose
 * every field is usable; one it refuses is never half-accepted.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { validateHooks } from "../../src/hooks/validate.js";
import { normalizeHooks } from "../../src/hooks/normalize.js";
import { validateSchedule } from "../../src/schedule/next-fire.js";
import type { HooksDefinition } from "../../src/hooks/types.js";

const FILE = "/srv/app/hooks.ts";
const EVENTS = ["all", "hourly", "daily", "weekly", "monthly", "yearly", "hourly_long", "daily_long", "cron", "cron_long", "dayly", "Daily", ""];

const word = fc.oneof(fc.constantFrom("app", "tasks", "my_app", "run", "x1", "_", "$"), fc.string({ maxLength: 6 }), fc.string({ unit: "grapheme", maxLength: 6 }));
const dotted = fc.oneof(
  fc.array(word, { minLength: 1, maxLength: 5 }).map((s) => s.join(".")),
  fc.constantFrom("../../etc/passwd", "node_modules.x.y", "app..tasks", ".app.x", "app.tasks.", "ünïcødé.tâsks.fn", "app.tasks.fn\n", "a.b", "app/tasks.fn"),
);
const cronExpr = fc.oneof(
  fc.constantFrom("* * * * *", "0 9 * * *", "*/15 * * * *", "0 0 1 1 *", "* * * * * *", "61 * * * *", "* * *", "@daily", "0 0 30 2 *", "bogus", "", "0 0 * * 8", "* * * * * * *"),
  fc.array(fc.constantFrom("*", "0", "59", "*/5", "1-3", "a", "99", "?", "L", "#"), { minLength: 0, maxLength: 7 }).map((f) => f.join(" ")),
);
const weird = fc.oneof(fc.constant(null), fc.integer(), fc.double(), fc.boolean(), fc.string({ maxLength: 8 }), fc.constant([]), fc.constant({}), fc.constant(undefined));
const entry = fc.oneof(
  dotted,
  fc.record(
    {
      method: fc.oneof(dotted, weird),
      queue: fc.oneof(fc.constantFrom("short", "default", "long", "nope"), weird),
      timeout: fc.oneof(fc.integer({ min: -5, max: 5000 }), weird),
      catchup: fc.oneof(fc.constantFrom("latest", "none", "all"), fc.record({ all: fc.constant(true), window: fc.oneof(fc.constantFrom("6h", "2d", "x"), fc.integer()) }), weird),
      jitter: fc.oneof(fc.integer({ min: -2, max: 60 }), weird),
      kwargs: fc.oneof(fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 })), weird),
      extra: weird,
    },
    { requiredKeys: [] },
  ),
  weird,
);
const list = fc.oneof(fc.array(entry, { maxLength: 6 }), weird, fc.dictionary(cronExpr, fc.array(entry, { maxLength: 3 }), { maxKeys: 3 }));
const events = fc.oneof(fc.dictionary(fc.constantFrom(...EVENTS), list, { maxKeys: 5 }), weird);
const definition = fc.record(
  {
    scheduler_events: events,
    timezone: fc.oneof(fc.constantFrom("UTC", "Europe/Berlin", "Mars/Olympus", ""), weird),
    scheduler_interval: fc.oneof(fc.integer({ min: -1, max: 120 }), weird),
    queues: fc.oneof(fc.dictionary(fc.oneof(fc.constantFrom("default", "custom", "bad name!"), fc.string({ maxLength: 5 })), fc.oneof(fc.record({ timeout: fc.oneof(fc.integer({ min: -1, max: 100 }), weird), workers: fc.oneof(fc.integer({ min: 0, max: 4 }), weird), maxMemoryMb: fc.oneof(fc.integer({ min: 0, max: 512 }), weird) }, { requiredKeys: [] }), weird), { maxKeys: 3 }), weird),
    retention: fc.oneof(fc.record({ finished: fc.oneof(fc.integer({ min: -1, max: 9 }), weird), failed: weird }, { requiredKeys: [] }), weird),
    signing: fc.oneof(fc.record({ secret: fc.oneof(fc.string({ maxLength: 30 }), weird) }, { requiredKeys: [] }), weird),
    redis: fc.oneof(fc.constantFrom("redis://127.0.0.1:6379/0", "rediss://h:1", "http://x", "redis://h/abc", "/tmp/redis.sock"), weird),
    unknown_key: weird,
  },
  { requiredKeys: [] },
);

/** Validate, and normalize what validation accepts; returns the tasks or the problems. */
function check(def: Record<string, unknown>) {
  const problems = validateHooks(def, FILE, { unknownKeys: "all" });
  for (const p of problems) {
    expect(typeof p.message).toBe("string");
    expect(p.message.length).toBeGreaterThan(0);
    // One line each (a key may hold a newline; the message quotes it escaped).
    expect(p.message).not.toMatch(/\n/);
    expect(p.message).not.toMatch(/\bat .*\.ts:\d+/);
  }
  if (problems.length > 0) return { problems };
  const tasks = normalizeHooks(def as HooksDefinition);
  for (const t of tasks) {
    expect(t.method).toMatch(/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$/);
    expect(["short", "default", "long", ...Object.keys((def.queues as object) ?? {})]).toContain(t.queue);
    expect(() => validateSchedule(t.expression, "UTC")).not.toThrow();
    expect(t.source.startsWith("scheduler_events")).toBe(true);
  }
  return { tasks };
}

describe("fuzz: hooks files", () => {
  it("random definitions: validation never throws, problems are one line, accepted ones normalize cleanly", () => {
    fc.assert(
      fc.property(definition, (def) => {
        check(def as Record<string, unknown>);
      }),
      { numRuns: 400 },
    );
  });

  it("a huge list and a unicode path: each bad entry is named by its index, nothing throws", () => {
    const many = Array.from({ length: 5000 }, (_, i) => (i % 1000 === 999 ? `bad path ${i}` : `app.tasks.t${i}`));
    const started = Date.now();
    const { problems } = check({ scheduler_events: { all: many, daily: ["ünïcødé.tâsks.fn"] } });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(problems!.map((p) => p.key)).toEqual([
      ...[999, 1999, 2999, 3999, 4999].map((i) => `scheduler_events.all[${i}]`),
      "scheduler_events.daily[0]",
    ]);
    const ok = check({ scheduler_events: { all: many.filter((p) => !p.startsWith("bad")) } });
    expect(ok.tasks).toHaveLength(4995);
  });
});
