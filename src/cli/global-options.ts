/**
 * The options every command shares, accepted before the subcommand as git, kubectl and docker
 * users type them (`scheduler --redis URL --prefix P status`) and after it.
 *
 * commander lets the program take its own options anywhere on the line, so these land on the
 * program and a subcommand's action sees them only through mergedOptions().
 */
import { Command, Option } from "commander";

export function addGlobalOptions(program: Command): Command {
  return program
    .option("--hooks <path>", "hooks file (default: discovered from the current folder)")
    .option("--redis <url>", "Redis URL (default: REDIS_URL, hooks `redis`, then the embedded default)")
    .addOption(new Option("--prefix <prefix>", "Redis key prefix (default: SCHEDULER_PREFIX, hooks `prefix`, then hs)"))
    .option("--json", "print JSON for scripts; an error is {\"error\": {code, message, hint}} on stdout")
    .option("--utc", "show times in UTC instead of the configured zone");
}

/** Where a value came from, strongest first: typed on the line, then environment, then defaults. */
const RANK: Record<string, number> = { cli: 3, env: 2, config: 1, implied: 1, default: 0 };

/**
 * The options of `cmd` and of every command above it, one value per key: the one typed on the
 * command line wins wherever it was typed, then an environment value, then a default.
 */
export function mergedOptions(cmd: Command): Record<string, unknown> {
  const chain: Command[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) chain.unshift(c);
  const out: Record<string, unknown> = {};
  const rank: Record<string, number> = {};
  // Nearest command last, so between equal sources the subcommand's own value wins.
  for (const c of chain) {
    const opts = c.opts();
    for (const key of Object.keys(opts)) {
      if (opts[key] === undefined) continue;
      const r = RANK[c.getOptionValueSource(key) ?? "default"] ?? 0;
      if (rank[key] === undefined || r >= rank[key]!) {
        out[key] = opts[key];
        rank[key] = r;
      }
    }
  }
  return out;
}
