/** The `scheduler` program: the command tree of DESIGN.md section 3. */
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { EXIT } from "./common.js";
import { registerCommands } from "./commands/index.js";

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

export function buildProgram(): Command {
  const program = new Command("scheduler")
    .description("Frappe-style scheduler_events and background jobs on Redis")
    .version(packageVersion(), "-V, --version")
    .showSuggestionAfterError(true)
    .exitOverride();
  registerCommands(program);
  // Subcommands inherit exitOverride only when set before they are added; set it again.
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

/** Run the CLI; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version are successes; everything else commander rejects is a usage error.
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") {
        return EXIT.ok;
      }
      return EXIT.usage;
    }
    throw err;
  }
}
