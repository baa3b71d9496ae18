/**
 * Reading the Lua scripts of src/redis/lua/: `--@include <lib>` resolved recursively (each
 * library pasted once, its own includes before it) and the header every .lua file starts with.
 * Everything here is read from disk, before any Redis call: a missing library, an include
 * cycle or a malformed header fails when the script is loaded, naming the script and the file.
 *
 * Header format (every script; see script-headers.test.ts):
 *   -- <name>.lua: <purpose>            first line, then any lines of explanation
 *   -- KEYS[1] <what it is>             one line per key, numbered from 1 with no gap
 *   -- ARGV[1] <what it is>             one line per argument, numbered from 1 with no gap; the
 *                                       last may be `ARGV[n..]` (any number from n on)
 *   -- Returns: <what>                  the answer
 * A KEYS or ARGV line whose text says "(optional)" may be left off by the caller, with every
 * line after it. No KEYS line: the script takes no keys. A library (<name>_lib.lua) has the
 * first line and `-- Provides: <functions>` instead of KEYS/ARGV/Returns.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** A script or library that cannot be loaded: the message names the script and the library. */
export class ScriptLoadError extends Error {
  override name = "ScriptLoadError";
}

/** How many KEYS/ARGV the header declares: at least `min`, at most `max` (Infinity: `ARGV[n..]`). */
export interface ArgCount {
  min: number;
  max: number;
}

export interface ScriptHeader {
  purpose: string;
  keys: ArgCount;
  argv: ArgCount;
  returns: string;
}

export interface ScriptSource {
  name: string;
  /** The script with every include pasted in. */
  source: string;
  /** The libraries pasted in, in the order they appear. */
  libraries: string[];
  header: ScriptHeader;
}

export const LUA_DIR = fileURLToPath(new URL("./lua/", import.meta.url));

const INCLUDE = /^--@include[ \t]+(\S+)[ \t]*$/;
const LIB_SUFFIX = "_lib";

export const isLibrary = (name: string): boolean => name.endsWith(LIB_SUFFIX);

/** The script names (not libraries) in `dir`. */
export function scriptNames(dir: string = LUA_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".lua"))
    .map((f) => f.slice(0, -".lua".length))
    .filter((n) => !isLibrary(n))
    .sort();
}

/** Read script `name` from `dir` with its includes resolved and its header checked. */
export function readScript(name: string, dir: string = LUA_DIR): ScriptSource {
  if (isLibrary(name)) throw new ScriptLoadError(`script ${name}: a library (${name}.lua) is not run alone; include it`);
  const raw = readLua(dir, name, `script ${name}`);
  const header = parseHeader(name, raw);
  const libraries: string[] = [];
  const source = expand(dir, name, raw, [name], new Set(), libraries);
  return { name, source, libraries, header };
}

function readLua(dir: string, name: string, what: string): string {
  const file = join(dir, `${name}.lua`);
  if (!existsSync(file)) throw new ScriptLoadError(`${what}: no file ${file}`);
  return readFileSync(file, "utf8");
}

/**
 * Replace the include lines of `text` (the file `chain` ends with) by their libraries, each
 * library's own includes first; a library already pasted anywhere in this script is skipped.
 */
function expand(dir: string, script: string, text: string, chain: string[], done: Set<string>, order: string[]): string {
  const from = chain[chain.length - 1]!;
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const lib = INCLUDE.exec(line)?.[1];
    if (lib === undefined) {
      out.push(line);
      continue;
    }
    if (chain.includes(lib)) {
      throw new ScriptLoadError(`script ${script}: include cycle ${[...chain, lib].join(" -> ")} (--@include ${lib} in ${from}.lua)`);
    }
    if (done.has(lib)) continue;
    if (!isLibrary(lib)) {
      throw new ScriptLoadError(`script ${script}: --@include ${lib} in ${from}.lua names a script, not a library (<name>${LIB_SUFFIX}.lua)`);
    }
    const libText = readLua(dir, lib, `script ${script}: --@include ${lib} in ${from}.lua`);
    checkLibraryHeader(lib, libText);
    const pasted = expand(dir, script, libText, [...chain, lib], done, order);
    done.add(lib);
    order.push(lib);
    out.push(pasted);
  }
  return out.join("\n");
}

const comments = (text: string): string[] => {
  const lines: string[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("--") || INCLUDE.test(line)) break;
    lines.push(line.slice(2).trim());
  }
  return lines;
};

function checkLibraryHeader(name: string, text: string): void {
  const lines = comments(text);
  if (!lines[0]?.startsWith(`${name}.lua: `)) throw new ScriptLoadError(`library ${name}: first line must be "-- ${name}.lua: <purpose>"`);
  if (!lines.some((l) => l.startsWith("Provides: "))) throw new ScriptLoadError(`library ${name}: header has no "-- Provides: <functions>" line`);
}

/** The header of script `name` (see the format above). */
export function parseHeader(name: string, text: string): ScriptHeader {
  const lines = comments(text);
  const bad = (why: string) => new ScriptLoadError(`script ${name}: header ${why}`);
  const first = lines[0];
  if (!first?.startsWith(`${name}.lua: `)) throw bad(`first line must be "-- ${name}.lua: <purpose>"`);
  const keys = countOf(lines, "KEYS", bad);
  const argv = countOf(lines, "ARGV", bad);
  const returns = lines.find((l) => l.startsWith("Returns: "));
  if (!returns) throw bad(`has no "-- Returns: <what>" line`);
  return { purpose: first.slice(`${name}.lua: `.length), keys, argv, returns: returns.slice("Returns: ".length) };
}

function countOf(lines: string[], kind: "KEYS" | "ARGV", bad: (why: string) => Error): ArgCount {
  const entry = new RegExp(`^${kind}\\[(\\d+)(\\.\\.)?\\] \\S`);
  let n = 0;
  let min: number | undefined;
  let max = 0;
  for (const line of lines) {
    if (!line.startsWith(`${kind}[`)) continue;
    const m = entry.exec(line);
    if (!m) throw bad(`line "${line}" is not "${kind}[i] <what it is>"`);
    if (/[,;]\s*(KEYS|ARGV)\[\d+\]/.test(line)) throw bad(`line "${line}" lists more than one entry (one line per ${kind})`);
    if (max === Infinity) throw bad(`has ${kind} lines after ${kind}[${n}..]`);
    const i = Number(m[1]);
    if (i !== n + 1) throw bad(`lists ${kind}[${i}] after ${kind}[${n}] (one line per ${kind}, numbered from 1)`);
    n = i;
    if (/\(optional\b/.test(line) && min === undefined) min = i - 1;
    if (m[2]) {
      if (min === undefined) min = i - 1;
      max = Infinity;
    } else {
      max = i;
    }
  }
  return { min: min ?? max, max };
}

/** Throw when `keys`/`args` counts do not fit the header of `script`. */
export function checkCall(script: ScriptSource, keys: number, args: number): void {
  const { header, name } = script;
  const fits = (n: number, c: ArgCount) => n >= c.min && n <= c.max;
  const says = (c: ArgCount) => (c.min === c.max ? `${c.min}` : c.max === Infinity ? `at least ${c.min}` : `${c.min} to ${c.max}`);
  if (!fits(keys, header.keys)) throw new ScriptLoadError(`script ${name}: called with ${keys} KEYS, its header (${name}.lua) lists ${says(header.keys)}`);
  if (!fits(args, header.argv)) throw new ScriptLoadError(`script ${name}: called with ${args} ARGV, its header (${name}.lua) lists ${says(header.argv)}`);
}
