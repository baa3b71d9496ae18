/**
 * `scheduler reload [--timeout 30s]`: tell every running daemon on this Redis to reload its hooks
 * (like SIGHUP), wait for each one's answer and print what changed.
 */
import { Command } from "commander";
import { action, withCommon, EXIT, UsageError, type CommonOptions } from "../common.js";
import { openCli } from "../context.js";
import { requestControl } from "../../daemon/control.js";
import { describeReload } from "../../daemon/reload-announce.js";
import { parseDuration } from "../../base/duration.js";

interface ReloadOptions extends CommonOptions {
  timeout: string;
}

export function registerReload(program: Command): void {
  withCommon(program.command("reload").description("reload hooks in the running daemons (same as SIGHUP)"))
    .option("--timeout <duration>", "how long to wait for the daemons' answers", "30s")
    .action(action(runReload));
}

async function runReload(opts: ReloadOptions): Promise<number> {
  let timeoutMs: number;
  try {
    timeoutMs = parseDuration(opts.timeout, "--timeout");
  } catch (err) {
    throw new UsageError((err as Error).message, { hint: "e.g. --timeout 10s" });
  }
  const cli = await openCli(opts, { hooks: "optional" });
  const subscriber = cli.redis.duplicate({ lazyConnect: true });
  try {
    await subscriber.connect();
    const { received, replies } = await requestControl(cli.redis, subscriber, cli.keys, "reload", timeoutMs);
    const silent = received - replies.length;
    const ok = received > 0 && silent === 0 && replies.every((r) => r.ok);
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ received, replies, unanswered: silent }, null, 2)}\n`);
      return ok ? EXIT.ok : EXIT.failure;
    }
    if (received === 0) {
      process.stderr.write(`scheduler: no daemon is listening on ${cli.url} (prefix ${cli.prefix}); nothing reloaded\n`);
      return EXIT.failure;
    }
    for (const r of replies) process.stdout.write(`${r.daemon}: ${describeReload(r)}\n`);
    for (const r of replies) {
      for (const id of r.added ?? []) process.stdout.write(`  + ${id}\n`);
      for (const id of r.removed ?? []) process.stdout.write(`  - ${id}\n`);
      for (const id of r.changed ?? []) process.stdout.write(`  ~ ${id}\n`);
    }
    if (silent > 0) process.stderr.write(`scheduler: ${silent} daemon${silent === 1 ? "" : "s"} did not answer within ${opts.timeout}\n`);
    return ok ? EXIT.ok : EXIT.failure;
  } finally {
    subscriber.disconnect();
    await cli.close();
  }
}
