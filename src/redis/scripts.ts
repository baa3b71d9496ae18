/**
 * Named Lua scripts (src/redis/lua/<name>.lua), run by SHA with a fallback to EVAL when the
 * server does not know the script yet (after a restart or a SCRIPT FLUSH).
 *
 * Every script starts with a header listing KEYS, ARGV and its return value (format and include
 * resolution: script-source.ts); each call is checked against the header's counts. Times are
 * passed in ARGV: scripts never read the server clock, so tests can run at any instant.
 */
import { createHash } from "node:crypto";
import type { Redis, ChainableCommander } from "ioredis";
import { checkCall, readScript, scriptNames, type ScriptSource } from "./script-source.js";
import { asCluster } from "./cluster.js";
import { slotGuardKey } from "./keys.js";

interface LoadedScript extends ScriptSource {
  sha: string;
}

const cache = new Map<string, LoadedScript>();

/**
 * Script `name` with its includes resolved. The first call reads every script of src/redis/lua
 * (a few ms, once): a broken include or header anywhere fails then, with a ScriptLoadError
 * naming the script and library, before any Redis call.
 */
export function loadScript(name: string): LoadedScript {
  if (cache.size === 0) loadAllScripts();
  let script = cache.get(name);
  if (!script) {
    script = read(name);
    cache.set(name, script);
  }
  return script;
}

function read(name: string): LoadedScript {
  const source = readScript(name);
  return { ...source, sha: createHash("sha1").update(source.source).digest("hex") };
}

/** Read every script of src/redis/lua (all or none: a failure caches nothing); their names. */
export function loadAllScripts(): string[] {
  const names = scriptNames();
  const loaded = names.map(read);
  for (const s of loaded) cache.set(s.name, s);
  return names;
}

type Arg = string | number | Buffer;

/**
 * The KEYS a script is sent with: the caller's, then the slot guard of their tag (keys.ts
 * slotGuardKey), after the ones the header counts, so no script sees it at a KEYS[i] it reads.
 */
function withSlotGuard(keys: string[]): string[] {
  const guard = keys[0] === undefined ? undefined : slotGuardKey(keys[0]);
  return guard === undefined ? keys : [...keys, guard];
}

/** Run a named script; the keys must share one hash tag (see keys.ts). */
export async function runScript<T = unknown>(redis: Redis, name: string, callerKeys: string[], args: Arg[]): Promise<T> {
  const script = loadScript(name);
  checkCall(script, callerKeys.length, args.length);
  const keys = withSlotGuard(callerKeys);
  try {
    return (await redis.evalsha(script.sha, keys.length, ...keys, ...args)) as T;
  } catch (err) {
    if (err instanceof Error && err.message.startsWith("NOSCRIPT")) {
      return (await redis.eval(script.source, keys.length, ...keys, ...args)) as T;
    }
    throw err;
  }
}

/** Queue a named script in a pipeline or MULTI. Call `preloadScripts` first on that server. */
export function pipeScript(pipe: ChainableCommander, name: string, callerKeys: string[], args: Arg[]): ChainableCommander {
  const script = loadScript(name);
  checkCall(script, callerKeys.length, args.length);
  const keys = withSlotGuard(callerKeys);
  return pipe.evalsha(script.sha, keys.length, ...keys, ...args);
}

/**
 * SCRIPT LOAD the named scripts, so pipelines can use EVALSHA safely. On a cluster SCRIPT LOAD
 * reaches one node only: load on every node, replicas included (one may be promoted).
 */
export async function preloadScripts(redis: Redis, names: string[]): Promise<void> {
  const cluster = asCluster(redis);
  const load = (node: Redis) => names.map((n) => node.script("LOAD", loadScript(n).source));
  // A replica that refuses (or is down) must not fail the caller: the masters are what run it now.
  if (cluster) await Promise.allSettled(cluster.nodes("slave").flatMap(load));
  await Promise.all((cluster?.nodes("master") ?? [redis]).flatMap(load));
}

/**
 * Run a pipeline of named scripts; after a Redis restart or SCRIPT FLUSH (NOSCRIPT) load `names`
 * and run it once more. Throws the first error; answers the replies in order.
 */
export async function execScriptPipeline(redis: Redis, names: string[], build: (pipe: ChainableCommander) => void): Promise<unknown[]> {
  for (let attempt = 0; ; attempt++) {
    const pipe = redis.pipeline();
    build(pipe);
    const results = (await pipe.exec()) ?? [];
    const noscript = results.some(([err]) => err instanceof Error && err.message.startsWith("NOSCRIPT"));
    if (!noscript || attempt > 0) {
      const failed = results.find(([err]) => err);
      if (failed?.[0]) throw failed[0];
      return results.map(([, value]) => value);
    }
    await preloadScripts(redis, names);
  }
}
