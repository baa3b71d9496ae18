/** Shared test fixtures for the queue: a tiny TaskTable and a QueueEnv on a test prefix. */
import { manualClock } from "../../src/base/clock.js";
import { TaskResolutionError } from "../../src/base/errors.js";
import type { TaskTable } from "../../src/tasks/task-table.js";
import { setActiveContext, type QueueEnv } from "../../src/queue/context.js";
import { BUILTIN_QUEUES, DEFAULT_RETENTION } from "../../src/config/defaults.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";
import { createKeys, type Keys } from "../../src/redis/keys.js";
import { queuesOnDistinctMasters } from "../helpers/distinct-masters.js";

type TaskFn = (kwargs: Record<string, unknown>) => unknown;

/** A TaskTable over an in-memory map of dotted path -> function. */
export function tinyRegistry(tasks: Record<string, TaskFn>): TaskTable {
  const byFn = new Map<Function, string>(Object.entries(tasks).map(([p, f]) => [f, p]));
  return {
    appRoot: "/virtual",
    async resolve(path) {
      const fn = tasks[path];
      if (!fn) throw new TaskResolutionError("TASK_NOT_EXPORTED", `${path}: no export "${path.split(".").pop()}" in ${path.split(".").slice(0, -1).join("/")}.ts`);
      return fn;
    },
    pathOf: (fn) => byFn.get(fn),
  };
}

export const T0 = Date.parse("2026-03-01T10:00:00Z");

export interface QueueFixture {
  env: QueueEnv;
  t: TestRedis;
  clock: ReturnType<typeof manualClock>;
}

/** A fresh env on a unique prefix with a manual clock; also made the active context. */
export async function queueFixture(name: string, tasks: Record<string, TaskFn> = {}): Promise<QueueFixture> {
  const t = await testRedis(name);
  const clock = manualClock(T0);
  const env: QueueEnv = {
    redis: t.redis,
    keys: t.keys,
    clock,
    queues: { ...BUILTIN_QUEUES, my_custom_queue: { timeout: 60, workers: 2, concurrency: 4 } },
    retention: { ...DEFAULT_RETENTION },
    tasks: tinyRegistry(tasks),
  };
  setActiveContext(env);
  return { env, t, clock };
}

/** Where each job id is, looking at every list and registry of every queue of the env. */
export async function placesOf(env: QueueEnv): Promise<Map<string, string[]>> {
  const k = env.keys;
  const queues = [...new Set([...Object.keys(env.queues), ...(await env.redis.smembers(k.queues()))])];
  const places = new Map<string, string[]>();
  const add = (id: string, where: string) => places.set(id, [...(places.get(id) ?? []), where]);
  for (const q of queues) {
    for (const id of await env.redis.lrange(k.queue(q), 0, -1)) add(id, `queued:${q}`);
    for (const kind of ["scheduled", "deferred", "started", "finished", "failed", "canceled"] as const) {
      for (const id of await env.redis.zrange(k[kind](q), 0, -1)) add(id, `${kind}:${q}`);
    }
  }
  return places;
}

/** A fixture in the per-queue layout (issue 17): `count` queues of its own besides the built-in ones. */
export interface SpreadFixture {
  f: QueueFixture;
  /** The prefix's keys in the "queue" layout. */
  keys: Keys;
  /** f.env on those keys, with the queues configured; the active context. */
  env: QueueEnv;
  /** Queue names whose tags are on `count` different masters on the cluster (one server: any). */
  queues: string[];
}

export async function spreadFixture(name: string, tasks: Record<string, TaskFn>, count: number): Promise<SpreadFixture> {
  const f = await queueFixture(name, tasks);
  const keys = createKeys(f.t.prefix, { jobTags: "queue" });
  const queues = await queuesOnDistinctMasters(f.env.redis, keys, count);
  const env: QueueEnv = { ...f.env, keys, queues: { ...f.env.queues, ...Object.fromEntries(queues.map((q) => [q, { timeout: 60, workers: 1, concurrency: 1 }])) } };
  setActiveContext(env);
  return { f, keys, env, queues };
}
