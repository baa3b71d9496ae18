/** Doctor checks of the Redis side: does it answer, and will it keep jobs across a restart. */
import { dirname } from "node:path";
import { findEmbeddedRedis, findExecutable } from "../../daemon/embedded-redis.js";
import { connectRedis, DEFAULT_REDIS_URL, redactUrl, redisAnswers } from "../../redis/connection.js";
import { describeError } from "../../base/errors.js";
import { errorFinding, finding, type Check } from "./types.js";
import type { Redis } from "ioredis";
import { masterConnections } from "../../ops/masters.js";
import { type Finding } from "./types.js";

export const redisCheck: Check = {
  name: "redis",
  async run(ctx) {
    if (!ctx.config) return [finding("redis", "warn", "skipped: the configuration did not resolve", "fix the config errors above")];
    let url = ctx.config.redisUrl;
    let how = "Redis answers at";
    if (url === undefined) {
      // Nothing configured: as the daemon does (daemon/embedded-redis.ts), use a server answering
      // on 127.0.0.1:6379, else this folder's embedded server, else start one.
      const probe = ctx.options.probeUrl ?? DEFAULT_REDIS_URL;
      if (await redisAnswers(probe)) {
        url = probe;
        how = "no Redis URL configured; using the server that answers at";
      } else {
        url = await findEmbeddedRedis(dirname(ctx.config.hooksFile));
        how = "no Redis URL configured; using this folder's embedded server at";
      }
      if (url === undefined) {
        ctx.embedded = true;
        const server = findExecutable("redis-server", ctx.options.env);
        return server
          ? [finding("redis", "ok", `no Redis URL configured and none answers on ${probe}: the embedded default will run ${server} (AOF in .scheduler/redis/)`)]
          : [
              finding(
                "redis",
                "error",
                `no Redis URL configured, none answers on ${probe}, and redis-server is not on PATH`,
                "install redis-server (apt-get install redis-server), or set REDIS_URL / --redis / hooks `redis`",
              ),
            ];
      }
    }
    try {
      ctx.redis = await connectRedis(url, { failFast: true, connectionName: "scheduler-doctor" });
    } catch (err) {
      return [errorFinding("redis", err, "start Redis or fix the URL")];
    }
    const redis = ctx.redis;
    ctx.cleanup.push(() => redis.disconnect());
    const info = await redis.info("server").catch(() => "");
    const version = /redis_version:(\S+)/.exec(info)?.[1];
    return [finding("redis", "ok", `${how} ${redactUrl(url)}${version ? ` (version ${version})` : ""}`)];
  },
};

export const persistenceCheck: Check = {
  name: "persistence",
  async run(ctx) {
    if (ctx.embedded) return [finding("persistence", "ok", "the embedded redis-server runs with AOF persistence")];
    if (!ctx.redis) return [finding("persistence", "warn", "skipped: Redis did not answer", "fix the Redis errors above")];
    // On a cluster each master keeps its own shard: each is asked (src/ops/masters.ts).
    const nodes = masterConnections(ctx.redis);
    if (nodes.length === 1) return [await persistenceOf(nodes[0]!, "")];
    return Promise.all(nodes.map((node) => persistenceOf(node, `master ${node.options.host}:${node.options.port}: `)));
  },
};

async function persistenceOf(redis: Redis, where: string): Promise<Finding> {
  let appendonly: string | undefined;
  let save: string | undefined;
  try {
    appendonly = configValue(await redis.call("CONFIG", "GET", "appendonly"));
    save = configValue(await redis.call("CONFIG", "GET", "save"));
  } catch (err) {
    return finding("persistence", "warn", `${where}cannot read persistence settings (CONFIG GET refused: ${describeError(err)})`, "make sure the server has AOF or RDB snapshots on");
  }
  const aof = appendonly === "yes";
  const rdb = save !== undefined && save.trim() !== "";
  if (!aof && !rdb) {
    return finding(
      "persistence",
      "warn",
      `${where}Redis persistence is off (appendonly no, save ""): queued and scheduled jobs are lost if Redis restarts`,
      "set appendonly yes (CONFIG SET appendonly yes, and in redis.conf)",
    );
  }
  const what = aof ? `AOF on${rdb ? `, RDB snapshots (save ${save})` : ""}` : `RDB snapshots only (save ${save}): jobs since the last snapshot are lost if Redis crashes`;
  return finding("persistence", "ok", `${where}persistence: ${what}`);
}

/** CONFIG GET answers [name, value]; the value, if any. */
function configValue(reply: unknown): string | undefined {
  return Array.isArray(reply) && typeof reply[1] === "string" ? reply[1] : undefined;
}
