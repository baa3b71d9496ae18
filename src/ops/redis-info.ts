/**
 * What an operator wants to know about the Redis server itself: version, memory, and whether
 * jobs survive a restart (AOF, RDB save points). Read-only; shared by `status` and `doctor`.
 */
import type { Redis } from "ioredis";

export interface RedisOverview {
  version?: string;
  /** "standalone", "cluster", "sentinel" (INFO server redis_mode). */
  mode?: string;
  usedMemory?: number;
  usedMemoryHuman?: string;
  maxMemory?: number;
  /** appendonly yes/no; undefined when neither CONFIG nor INFO said. */
  aof?: boolean;
  /** The `save` setting ("3600 1 300 100"), "" when RDB snapshots are off, undefined if unknown. */
  rdbSave?: string;
  /** Unix seconds of the last successful RDB save (INFO persistence). */
  rdbLastSave?: number;
  uptimeSeconds?: number;
  connectedClients?: number;
}

/** INFO text -> field map (sections and comments dropped). */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (!line || line.startsWith("#")) continue;
    const i = line.indexOf(":");
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

const num = (v: string | undefined): number | undefined => (v === undefined || v === "" || !Number.isFinite(Number(v)) ? undefined : Number(v));

/** CONFIG GET answers [name, value]; the value, if any. */
function configValue(reply: unknown): string | undefined {
  return Array.isArray(reply) && typeof reply[1] === "string" ? reply[1] : undefined;
}

export async function readRedisInfo(redis: Redis): Promise<RedisOverview> {
  const info = parseInfo(await redis.info());
  // CONFIG is often renamed or refused on managed servers; INFO still says whether AOF is on.
  const [appendonly, save] = await Promise.all([
    redis.call("CONFIG", "GET", "appendonly").then(configValue, () => undefined),
    redis.call("CONFIG", "GET", "save").then(configValue, () => undefined),
  ]);
  const aofInfo = info.aof_enabled === undefined ? undefined : info.aof_enabled === "1";
  return {
    version: info.redis_version,
    mode: info.redis_mode,
    usedMemory: num(info.used_memory),
    usedMemoryHuman: info.used_memory_human,
    maxMemory: num(info.maxmemory),
    aof: appendonly === undefined ? aofInfo : appendonly === "yes",
    rdbSave: save,
    rdbLastSave: num(info.rdb_last_save_time),
    uptimeSeconds: num(info.uptime_in_seconds),
    connectedClients: num(info.connected_clients),
  };
}

/** One line: "AOF on, RDB save 3600 1 300 100" / "AOF off, RDB off (jobs are lost on restart)". */
export function describePersistence(r: RedisOverview): string {
  const aof = r.aof === undefined ? "AOF unknown" : r.aof ? "AOF on" : "AOF off";
  const rdb = r.rdbSave === undefined ? "RDB unknown" : r.rdbSave.trim() === "" ? "RDB off" : `RDB save ${r.rdbSave}`;
  const lost = r.aof === false && r.rdbSave !== undefined && r.rdbSave.trim() === "" ? " (jobs are lost if Redis restarts)" : "";
  return `${aof}, ${rdb}${lost}`;
}
