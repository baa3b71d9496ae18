/**
 * `scheduler serve`: only the HTTP side (/metrics, /healthz, /readyz, the console) against any
 * Redis: no workers, no scheduler. For a monitoring host; several may run beside the daemons.
 * Redis being down is not fatal (the probes say so and it reconnects); the port being taken is,
 * since serving is all this command does.
 */
import type { Command } from "commander";
import { systemClock } from "../../base/clock.js";
import { createRedis, redactUrl } from "../../redis/connection.js";
import { createKeys } from "../../redis/keys.js";
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
      const handle = await startHttpServer(
        {
          redis,
          keys: createKeys(target.prefix),
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
