/**
 * Every process the test process starts through node:child_process carries its owner (the test
 * or file that started it, test/helpers/test-owner.ts) in its environment, for the leak guard
 * (test/setup/no-leaked-processes.ts). The functions are replaced on the module object, which
 * require() and `import * as` see, and syncBuiltinESMExports() makes named ESM imports
 * (`import { spawn } from "node:child_process"`) see the replacement too.
 *
 * A call that passes `env` gets the owner added to that env (a child started with a minimal env
 * is still recognised); one that does not gets process.env plus the owner.
 */
import childProcess from "node:child_process";
import { syncBuiltinESMExports } from "node:module";
import { promisify } from "node:util";
import { countSpawn, currentOwner, OWNER_VAR } from "../helpers/test-owner.js";

const NAMES = ["spawn", "spawnSync", "fork", "exec", "execSync", "execFile", "execFileSync"] as const;
const WRAPPED = Symbol.for("hooks-scheduler.tag-spawns");

type AnyFn = ((...args: unknown[]) => unknown) & { [WRAPPED]?: true };

function isOptions(a: unknown): a is { env?: NodeJS.ProcessEnv } {
  return a !== null && typeof a === "object" && !Array.isArray(a);
}

/**
 * The arguments with the owner in the options' env. The options are the first plain object after
 * the command (every signature: spawn(cmd, args?, opts?), exec(cmd, opts?, cb?), execFile(file,
 * args?, opts?, cb?), ...); with none, options go right after the command or its args array.
 */
export function withOwner(args: unknown[], owner: string, extra: NodeJS.ProcessEnv = {}): unknown[] {
  const out = [...args];
  const tag = (env: NodeJS.ProcessEnv | undefined) => ({ ...(env ?? process.env), ...extra, [OWNER_VAR]: owner });
  const at = out.findIndex((a, i) => i > 0 && isOptions(a));
  if (at >= 0) {
    const opts = out[at] as { env?: NodeJS.ProcessEnv };
    out[at] = { ...opts, env: tag(opts.env) };
    return out;
  }
  const slot = Array.isArray(out[1]) ? 2 : 1;
  if (slot < out.length && out[slot] == null) out[slot] = { env: tag(undefined) };
  else out.splice(slot, 0, { env: tag(undefined) });
  return out;
}

let extraEnv: NodeJS.ProcessEnv = {};

function tagging(original: AnyFn): AnyFn {
  return function (this: unknown, ...args: unknown[]) {
    const owner = currentOwner();
    const result = original.apply(this, withOwner(args, owner, extraEnv));
    // promisify(exec)'s form returns a promise with the child on it.
    countSpawn(owner, (result as { child?: unknown } | undefined)?.child ?? result);
    return result;
  };
}

/**
 * Install the tagging, once per process. `extra`: variables every spawn also gets (the worker's
 * own marker), kept when a caller passes a minimal env.
 */
export function tagSpawns(extra: NodeJS.ProcessEnv): void {
  extraEnv = extra;
  const mod = childProcess as unknown as Record<string, AnyFn>;
  for (const name of NAMES) {
    const original = mod[name]!;
    if (original[WRAPPED]) continue;
    const wrapped = tagging(original);
    wrapped[WRAPPED] = true;
    // promisify(exec) and promisify(execFile) use their own form, which calls the original.
    const custom = (original as unknown as Record<symbol, AnyFn | undefined>)[promisify.custom];
    if (custom) Object.defineProperty(wrapped, promisify.custom, { value: tagging(custom) });
    mod[name] = wrapped;
  }
  syncBuiltinESMExports();
}
