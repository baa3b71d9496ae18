/**
 * `scheduler serve`: only the HTTP side (/metrics, /healthz, /readyz, the console) against any
 * Redis: no workers, no scheduler. For a monitoring host; several may run beside the daemons.
 * Redis being down is not fatal (the probes say so and it reconnects); the port being taken is,
 * since serving is all this command does.
 */
import type { Command } from "commander";
import type { Redis } from "ioredis";
import { SchedulerError } from "../../base/errors.js";
import { systemClock } from "../../base/clock.js";
import { createRedis, redactUrl } from "../../redis/connection.js";
import { createKeys, type Keys } from "../../redis/keys.js";
import { keysOf } from "../../redis/key-layout.js";
import { startHttpServer } from "../../http/server.js";
import { standaloneConfig } from "../../http/standalone-config.js";
import { action, withCommon, EXIT } from "../common.js";
import { resolveTarget } from "../context.js";
import { httpSettings, withHttpOptions, type HttpFlags } from "../http-options.js";
import type { CommonOptions } from "../common.js";

export function registerServe(program: Command): void {
  const cmd = withCommon(program.command("serve").description("run only the HTTP server (/metrics, probes, console) against a Redis"));
  withHttpOptions(cmd, { allowOff: false }).action(
    action(async (flags: CommonOptions & HttpFlags) => {
      const http = httpSettings(flags);
      const target = await resolveTarget(flags, { hooks: "optional" });
      const redis = createRedis(target.url, { connectionName: "hs-serve" });
      let lastError = "";
      redis.on("error", (err: Error) => {
        if (err.message !== lastError) process.stderr.write(`scheduler serve: Redis ${redactUrl(target.url)}: ${err.message} (retrying)\n`);
        lastError = err.message;
      });
      redis.on("ready", () => (lastError = ""));
      redis.connect().catch(() => {});
      const warnings: string[] = [];
      const keys = await layoutKeys(redis, target.prefix);
      const handle = await startHttpServer(
        {
          redis,
          keys,
          config: target.config ?? standaloneConfig(target.url, target.prefix),
          readOnly: http.readOnly,
          ...(http.httpToken ? { token: http.httpToken } : {}),
          clock: systemClock,
          role: "serve",
          ...(target.hooks ? { tasks: target.hooks.tasks } : {}),
        },
        { address: http.http!, warn: (m) => warnings.push(m) },
      );
      if (!handle) {
        redis.disconnect();
        process.stderr.write(`scheduler: ${warnings.join("; ")}\n`);
        return EXIT.failure;
      }
      process.stdout.write(`http      ${handle.url} (the console; /metrics, /healthz, /readyz), redis ${redactUrl(target.url)}, prefix ${target.prefix}\n`);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      await handle.close();
      redis.disconnect();
      return EXIT.ok;
    }),
  );
}

/** How long the console waits at start for Redis to say where the job keys are. */
const LAYOUT_WAIT_MS = 10_000;

/**
 * The keys in the installation's layout (src/redis/key-layout.ts). The console starts while
 * Redis is down and answers 503 until it is back; it cannot tell the layout then, and waits at
 * most LAYOUT_WAIT_MS before it takes the one every installation has today.
 */
async function layoutKeys(redis: Redis, prefix: string): Promise<Keys> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Keys>((resolve) => (timer = setTimeout(() => {
    process.stderr.write(`scheduler serve: Redis did not answer within ${LAYOUT_WAIT_MS / 1000} s; reading job keys on the installation layout\n`);
    resolve(createKeys(prefix));
  }, LAYOUT_WAIT_MS)));
  try {
    // a connection error waits out the bound like silence; a marker naming no layout is an error
    const read = keysOf(redis, prefix).catch((err: unknown) => (err instanceof SchedulerError ? Promise.reject(err) : late));
    return await Promise.race([read, late]);
  } finally {
    clearTimeout(timer);
  }
}
