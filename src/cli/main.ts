/**
 * The `scheduler` program: the command tree (README.md, "The CLI").
 *
 * Start-up is kept short: version, help and the bare `scheduler` are answered from the command
 * manifest (no command module loaded); any other line loads the module of the one command it
 * names, and only a line naming no known command loads them all (for "did you mean").
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { EXIT, UsageError, errorJson } from "./common.js";
import { addGlobalOptions } from "./global-options.js";
import { COMMANDS, ENVIRONMENT_HELP, examplesHelp } from "./command-manifest.js";
import { quietOnBrokenPipe } from "./broken-pipe.js";
import { registerCommand, registerCommands } from "./commands/index.js";

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

function baseProgram(json: boolean): Command {
  const program = new Command("scheduler")
    .description("Frappe-style scheduler_events and background jobs on Redis")
    .version(packageVersion(), "-V, --version")
    .showSuggestionAfterError(true)
    .exitOverride();
  // Under --json a usage error is printed as JSON on stdout by main(), not as text on stderr.
  if (json) program.configureOutput({ writeErr: () => {}, outputError: () => {} });
  addGlobalOptions(program);
  program.addHelpText("after", `\n${ENVIRONMENT_HELP}\n\nRun \`scheduler <command> --help\` for a command's options and examples.\n`);
  return program;
}

/** Give each command its examples, and make every command throw instead of exiting. */
function finish(program: Command): Command {
  const visit = (cmd: Command) => {
    cmd.exitOverride();
    for (const sub of cmd.commands) visit(sub);
  };
  for (const cmd of program.commands) {
    visit(cmd);
    const entry = COMMANDS.find((c) => c.name === cmd.name());
    if (entry) cmd.addHelpText("after", examplesHelp(entry));
  }
  return program;
}

/** The whole program, every command module loaded. */
export async function buildProgram(json = false): Promise<Command> {
  const program = baseProgram(json);
  await registerCommands(program);
  return finish(program);
}

/**
 * The command a line runs: its first word that is neither an option nor the value of a global
 * option (`scheduler --redis URL status` runs status); for `help X`, X.
 */
export function commandOf(args: string[], program: Command = baseProgram(false)): string | undefined {
  const takesValue = new Set(program.options.filter((o) => o.required || o.optional).flatMap((o) => [o.long, o.short]));
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") return undefined;
    if (takesValue.has(arg)) i++;
    else if (!arg.startsWith("-")) return arg === "help" ? commandOf(args.slice(i + 1), program) : arg;
  }
  return undefined;
}

/** What main() parses `args` with: the named command's module only, or every one. */
export async function programFor(args: string[], json = false): Promise<Command> {
  if (isOverview(args)) return overviewProgram();
  const program = baseProgram(json);
  const name = commandOf(args, program);
  if (name === undefined || !(await registerCommand(program, name))) await registerCommands(program);
  return finish(program);
}

/** The program with each command named but not loaded: enough for version and the overview. */
function overviewProgram(): Command {
  const program = baseProgram(false);
  for (const c of COMMANDS) program.command(c.name).description(c.summary);
  return finish(program);
}

/** Lines answered without loading commands: nothing but -V / --version / -h / --help. */
function isOverview(args: string[]): boolean {
  return args.length === 0 || (args.length === 1 && ["-V", "--version", "-h", "--help", "help"].includes(args[0]!));
}

/** Run the CLI; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  quietOnBrokenPipe();
  const args = argv.slice(2);
  if (args.length === 0) {
    // Like git: the bare command is a usage error, with the overview to say what to type.
    overviewProgram().outputHelp({ error: true });
    return EXIT.usage;
  }
  const json = args.includes("--json");
  try {
    const program = await programFor(args, json);
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version are successes; everything else commander rejects is a usage error.
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") {
        return EXIT.ok;
      }
      if (json) process.stdout.write(errorJson(new UsageError(err.message.replace(/^error: /, ""), { hint: "see scheduler --help" })));
      return EXIT.usage;
    }
    throw err;
  }
}
