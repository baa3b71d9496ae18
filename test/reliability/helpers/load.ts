/** Bulk enqueue and memory figures for the load scenario and bench/soak.mjs's in-test twin. */
import type { Redis } from "ioredis";
import type { QueueEnv } from "../../../src/queue/context.js";
import { normalizeOptions } from "../../../src/queue/options.js";
import { buildPrepared, checkKwargs } from "../../../src/queue/prepare.js";
import { pushPrepared } from "../../../src/queue/push.js";

/** `n` jobs through the real enqueue path (prepare + enqueue.lua), 500 per script call. */
export async function enqueueBulk(env: QueueEnv, n: number, method: string, options: Record<string, unknown>): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 500) {
    const batch = Array.from({ length: Math.min(500, n - i) }, () => {
      const o = normalizeOptions(options);
      checkKwargs(o.kwargs);
      return buildPrepared(env, method, o).prepared;
    });
    for (const r of await pushPrepared(env, batch)) ids.push(r.id);
  }
  return ids;
}

export async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info("memory");
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
}
