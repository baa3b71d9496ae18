// The event-type catalog (src/log/event-types.ts) against its emitters: every type a .lua script
// emits is in the table, every entry is written somewhere, renamed types are no longer written,
// one naming style, and the filters match a renamed type under either name.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EVENT_TYPES, RENAMED_EVENT_TYPES } from "../../src/log/event-types.js";
import type { SchedulerEvent } from "../../src/log/events.js";
import { matchesFilter } from "../../src/log/read-events.js";
import { ROOT, staleDocs } from "../../scripts/contract-docs.js";

const read = (dir: string, ext: RegExp) =>
  readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && ext.test(e.name))
    .map((e) => ({ file: join(e.parentPath, e.name).slice(ROOT.length), text: readFileSync(join(e.parentPath, e.name), "utf8") }));

const LUA = read("src/redis/lua", /\.lua$/);
const TS = read("src", /\.ts$/).filter((f) => f.file !== join("src", "log", "event-types.ts"));

describe("event-type catalog", () => {
  it("every type the .lua scripts emit is in the table", () => {
    const emitted = LUA.flatMap(({ file, text }) => [...text.matchAll(/\bemit(?:_job)?\(\s*"([^"]+)"|\btype\s*=\s*"([^"]+)"/g)].map((m) => ({ file, type: (m[1] ?? m[2])! })));
    // a state move's event is a `{ type = "..." }` table handed to moves_lib.lua
    expect(emitted.length).toBeGreaterThan(20);
    expect(emitted.filter((e) => !(e.type in EVENT_TYPES)).map((e) => `${e.file}: ${e.type}`)).toEqual([]);
  });

  it("every type in the table is written somewhere, and no renamed type still is", () => {
    const all = [...LUA, ...TS].map((f) => f.text).join("\n");
    expect(Object.keys(EVENT_TYPES).filter((t) => !all.includes(`"${t}"`))).toEqual([]);
    expect(Object.keys(RENAMED_EVENT_TYPES).filter((t) => all.includes(`"${t}"`))).toEqual([]);
  });

  it("one naming style: dotted lowercase noun.verb_past (the log record is plain `log`)", () => {
    const bad = Object.keys(EVENT_TYPES).filter((t) => t !== "log" && !/^[a-z]+\.[a-z]+(_[a-z]+)*$/.test(t));
    expect(bad).toEqual([]);
    for (const now of Object.values(RENAMED_EVENT_TYPES)) expect(EVENT_TYPES).toHaveProperty([now]);
  });

  it("a filter matches a renamed type under its old name and its new one", () => {
    const ev = (type: string) => ({ type, level: "warn", at: 0, msg: "m" }) as unknown as SchedulerEvent;
    for (const [old, now] of Object.entries(RENAMED_EVENT_TYPES)) {
      expect(matchesFilter(ev(now), { type: old }), `${old} filter, new event`).toBe(true);
      expect(matchesFilter(ev(old), { type: now }), `${now} filter, old event`).toBe(true);
      expect(matchesFilter(ev(old), { type: old })).toBe(true);
    }
    expect(matchesFilter(ev("jobs.purged"), { type: "queue." })).toBe(true);
    expect(matchesFilter(ev("job.retry"), { type: "job." })).toBe(true);
    expect(matchesFilter(ev("job.finished"), { type: "job.retry" })).toBe(false);
  });

  it("docs/events.md is the table (npm run docs:contracts rewrites it)", () => {
    const doc = readFileSync(join(ROOT, "docs", "events.md"), "utf8");
    for (const type of Object.keys(EVENT_TYPES)) expect(doc, type).toContain(`| \`${type}\` |`);
    expect(staleDocs()).toEqual([]);
  });
});
