/** `scheduler layout [queue]`: the installation's key layout, and the move of a drained one to the per-queue layout. */
import type { Command } from "commander";
import { moveToQueueLayout } from "../../ops/layout-move.js";
import { action, EXIT, UsageError, withCommon, type CommonOptions } from "../common.js";
import { openCli } from "../context.js";

const WHERE = {
  installation: (p: string) => `every key on {${p}}: one slot, one master on a Redis Cluster`,
  queue: (p: string) => `each queue on a hash tag of its own, {${p}:<queue>}`,
};

async function runLayout(target: string | undefined, options: CommonOptions): Promise<number> {
  if (target !== undefined && target !== "queue") {
    throw new UsageError(`layout: "${target}" is not a layout to move to`, {
      hint: target === "installation" ? "an installation moves to the per-queue layout only (`scheduler layout queue`), not back" : "run `scheduler layout` to see it, `scheduler layout queue` to move a drained installation",
    });
  }
  const cli = await openCli(options, { hooks: "optional" });
  try {
    const layout = cli.keys.jobTags;
    if (target === undefined) {
      if (options.json) process.stdout.write(`${JSON.stringify({ prefix: cli.prefix, layout }, null, 2)}\n`);
      else process.stdout.write(`prefix "${cli.prefix}": the "${layout}" layout (${WHERE[layout](cli.prefix)})${layout === "installation" ? "\nmove it, once drained and stopped: scheduler layout queue" : ""}\n`);
      return EXIT.ok;
    }
    const moved = await moveToQueueLayout(cli.redis, cli.prefix);
    const changed = moved.outcome === "moved";
    if (options.json) process.stdout.write(`${JSON.stringify({ prefix: cli.prefix, layout: "queue", changed }, null, 2)}\n`);
    else if (changed) process.stdout.write(`prefix "${cli.prefix}" moved to the "queue" layout (${WHERE.queue(cli.prefix)}); start its daemons and workers again\n`);
    else process.stdout.write(`prefix "${cli.prefix}" is on the "queue" layout already\n`);
    return EXIT.ok;
  } finally {
    await cli.close();
  }
}

export function registerLayout(program: Command): void {
  withCommon(program.command("layout").description("the installation's key layout; `layout queue` moves a drained one to a hash tag per queue").argument("[layout]", 'the layout to move to: "queue"'), { json: true }).action(
    action((target: string | undefined, options: CommonOptions) => runLayout(target, options)),
  );
}
