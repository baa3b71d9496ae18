/**
 * The Lua loader without Redis: `--@include` resolved recursively (each library once, its own
 * includes first), and a cycle, a missing library or a malformed header fails when the script
 * is read, with one line naming the script and the library. Plus every shipped script: its
 * header is well-formed and its includes resolve.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkCall, parseHeader, readScript, ScriptLoadError, scriptNames } from "../../src/redis/script-source.js";
import { LEASE_SCRIPTS } from "../../src/redis/lease.js";
import { scriptResult } from "../../src/redis/script-results.js";
import { loadAllScripts, runScript } from "../../src/redis/scripts.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hs-lua-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const put = (name: string, text: string) => writeFileSync(join(dir, `${name}.lua`), text);
const lib = (name: string, includes: string[] = [], body = `local ${name}_v = 1`) =>
  put(name, [`-- ${name}.lua: test library`, `-- Provides: ${name}_v`, ...includes.map((i) => `--@include ${i}`), body, ""].join("\n"));
const script = (name: string, includes: string[], extra: string[] = []) =>
  put(name, [`-- ${name}.lua: test script`, "-- KEYS[1] a key", "-- ARGV[1] an argument", ...extra, "-- Returns: 1", ...includes.map((i) => `--@include ${i}`), "return 1", ""].join("\n"));

describe("--@include", () => {
  it("resolves recursively: each library once, its own includes before it", () => {
    lib("a_lib");
    lib("b_lib", ["a_lib"]);
    lib("c_lib", ["a_lib", "b_lib"]);
    script("s", ["c_lib", "b_lib"]);
    const s = readScript("s", dir);
    expect(s.libraries).toEqual(["a_lib", "b_lib", "c_lib"]);
    const at = (v: string) => s.source.indexOf(`local ${v} = 1`);
    expect(at("a_lib_v")).toBeLessThan(at("b_lib_v"));
    expect(at("b_lib_v")).toBeLessThan(at("c_lib_v"));
    expect(s.source.split("local a_lib_v = 1").length).toBe(2);
    expect(s.source).not.toContain("--@include");
  });

  it("a cycle fails at load time, naming the script and the chain", () => {
    lib("a_lib", ["b_lib"]);
    lib("b_lib", ["a_lib"]);
    script("s", ["a_lib"]);
    expect(() => readScript("s", dir)).toThrow(ScriptLoadError);
    expect(() => readScript("s", dir)).toThrow("script s: include cycle s -> a_lib -> b_lib -> a_lib (--@include a_lib in b_lib.lua)");
  });

  it("a library including itself is a cycle", () => {
    lib("a_lib", ["a_lib"]);
    script("s", ["a_lib"]);
    expect(() => readScript("s", dir)).toThrow(/script s: include cycle s -> a_lib -> a_lib/);
  });

  it("a missing library fails at load time, naming the script, the library and the including file", () => {
    lib("a_lib", ["gone_lib"]);
    script("s", ["a_lib"]);
    expect(() => readScript("s", dir)).toThrow(/^script s: --@include gone_lib in a_lib\.lua: no file .*gone_lib\.lua$/);
  });

  it("including a script (not a <name>_lib.lua) is refused", () => {
    script("other", []);
    script("s", ["other"]);
    expect(() => readScript("s", dir)).toThrow("script s: --@include other in s.lua names a script, not a library (<name>_lib.lua)");
  });

  it("a library without its header is refused, naming it", () => {
    put("a_lib", "local x = 1\n");
    script("s", ["a_lib"]);
    expect(() => readScript("s", dir)).toThrow('library a_lib: first line must be "-- a_lib.lua: <purpose>"');
  });

  it("a missing script names itself", () => {
    expect(() => readScript("nope", dir)).toThrow(/^script nope: no file /);
  });
});

describe("header", () => {
  const h = (...lines: string[]) => lines.map((l) => `-- ${l}`).join("\n") + "\nreturn 1\n";

  it("counts KEYS and ARGV, with optional and variadic entries", () => {
    const parsed = parseHeader("s", h("s.lua: does it", "KEYS[1] k", "KEYS[2] k2 (optional)", "ARGV[1] a", "ARGV[2] b", "ARGV[3..] rest", "Returns: 1"));
    expect(parsed).toEqual({ purpose: "does it", keys: { min: 1, max: 2 }, argv: { min: 2, max: Infinity }, returns: "1" });
  });

  it("no KEYS lines: no keys", () => {
    expect(parseHeader("s", h("s.lua: x", "ARGV[1] a", "Returns: 1")).keys).toEqual({ min: 0, max: 0 });
  });

  it.each([
    [["x.lua: wrong name", "Returns: 1"], 'script s: header first line must be "-- s.lua: <purpose>"'],
    [["s.lua: x", "KEYS[2] gap", "Returns: 1"], "script s: header lists KEYS[2] after KEYS[0] (one line per KEYS, numbered from 1)"],
    [["s.lua: x", "ARGV[1] a, ARGV[2] b", "Returns: 1"], 'script s: header line "ARGV[1] a, ARGV[2] b" lists more than one entry (one line per ARGV)'],
    [["s.lua: x", "ARGV[1]", "Returns: 1"], 'script s: header line "ARGV[1]" is not "ARGV[i] <what it is>"'],
    [["s.lua: x", "ARGV[1..] all", "ARGV[2] more", "Returns: 1"], "script s: header has ARGV lines after ARGV[1..]"],
    [["s.lua: x", "KEYS[1] k"], 'script s: header has no "-- Returns: <what>" line'],
  ])("%j is refused: %s", (lines, message) => {
    expect(() => parseHeader("s", h(...lines))).toThrow(message);
  });

  it("a call is checked against the header's counts", () => {
    script("s", [], ["-- ARGV[2] optional one (optional)"]);
    const s = readScript("s", dir);
    expect(() => checkCall(s, 1, 1)).not.toThrow();
    expect(() => checkCall(s, 1, 2)).not.toThrow();
    expect(() => checkCall(s, 2, 1)).toThrow("script s: called with 2 KEYS, its header (s.lua) lists 1");
    expect(() => checkCall(s, 1, 3)).toThrow("script s: called with 3 ARGV, its header (s.lua) lists 1 to 2");
  });
});

describe("the shipped scripts", () => {
  it("every one loads: includes resolved, header well-formed", () => {
    const names = loadAllScripts();
    expect(names.length).toBeGreaterThan(20);
    for (const n of names) {
      const s = readScript(n);
      expect(s.header.purpose.length, n).toBeGreaterThan(0);
      expect(s.source, n).not.toMatch(/^--@include/m);
    }
  });

  it("job scripts take the job-script convention: KEYS queues + events, ARGV header + now", () => {
    for (const n of scriptNames()) {
      const s = readScript(n);
      if (!s.libraries.includes("job_lib")) continue;
      expect(s.header.keys.min, n).toBe(2);
      expect(s.header.argv.min, n).toBeGreaterThanOrEqual(2);
    }
  });
});

describe("calls and answers", () => {
  // a stand-in that fails the test if anything reaches Redis
  const noRedis = new Proxy({}, { get: (_, p) => { throw new Error(`Redis touched (${String(p)})`); } }) as never;

  it("a call whose KEYS/ARGV counts do not fit the header fails before any Redis call", async () => {
    await expect(runScript(noRedis, "lease_renew", ["k", "extra"], ["token", 100])).rejects.toThrow("script lease_renew: called with 2 KEYS, its header (lease_renew.lua) lists 1");
    await expect(runScript(noRedis, "dequeue", ["q", "e"], ["header", 1])).rejects.toThrow("script dequeue: called with 2 ARGV, its header (dequeue.lua) lists at least 4");
  });

  it("every script's answer has one decoder (script-results.ts, or lease.ts for the lease scripts)", () => {
    const decoded = new Set([...Object.keys(scriptResult), ...LEASE_SCRIPTS]);
    expect(scriptNames().filter((n) => !decoded.has(n))).toEqual([]);
  });

  it("decoders type the answer, and name the script when it does not fit", () => {
    expect(scriptResult.heartbeat([2, {}, ["a"]])).toEqual({ extended: 2, cancelRequested: [], leaseLost: ["a"] });
    expect(scriptResult.complete('{"outcome":"finished","pushed":[],"rejected":[]}')).toEqual({ outcome: "finished", pushed: [], rejected: [], forwarded: [] });
    expect(scriptResult.complete('{"outcome":"finished","pushed":["x"],"rejected":{}}')).toEqual({ outcome: "finished", pushed: ["x"], rejected: [], forwarded: [] });
    expect(scriptResult.scheduler_skip(-1)).toBe("fenced");
    expect(scriptResult.scheduler_ledger(2)).toBe("merged");
    expect(scriptResult.cancel("finished")).toEqual({ done: false, answer: "finished" });
    expect(() => scriptResult.cancel_started("maybe")).toThrow(/^script cancel_started answered "maybe"/);
    expect(() => scriptResult.scheduler_skip(7)).toThrow(/^script scheduler_skip answered 7/);
  });
});
