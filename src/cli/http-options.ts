/** The HTTP options `scheduler start` and `scheduler serve` share: --http, --no-http, --read-only, --http-token. */
import { Option, type Command } from "commander";
import { DEFAULT_HTTP, parseHttpAddress, type HttpAddress } from "../http/server.js";
import { checkBind } from "../http/security.js";
import { UsageError } from "./common.js";

export interface HttpFlags {
  /** commander: the address text, or false with --no-http */
  http?: string | false;
  readOnly?: boolean;
  httpToken?: string;
}

export function withHttpOptions(cmd: Command, { allowOff = true }: { allowOff?: boolean } = {}): Command {
  cmd.option("--http <host:port>", `HTTP server for /metrics, /healthz, /readyz and the console (default: SCHEDULER_HTTP, else ${DEFAULT_HTTP}; port 0: any free one)`);
  if (allowOff) cmd.option("--no-http", "run no HTTP server");
  cmd
    .option("--read-only", "the HTTP API refuses every write (405)")
    .addOption(new Option("--http-token <token>", "require this bearer token on the HTTP API").env("SCHEDULER_HTTP_TOKEN"));
  return cmd;
}

export function httpSettings(flags: HttpFlags): { http?: HttpAddress; readOnly: boolean; httpToken?: string } {
  const out: { http?: HttpAddress; readOnly: boolean; httpToken?: string } = { readOnly: !!flags.readOnly };
  if (flags.httpToken) out.httpToken = flags.httpToken;
  if (flags.http === false) return out;
  // SCHEDULER_HTTP under --http: a container or a unit file sets the address once, and a test
  // suite keeps its daemons off the port a developer's own `npm start` uses
  const fromEnv = flags.http === undefined ? process.env.SCHEDULER_HTTP?.trim() || undefined : undefined;
  const parsed = parseHttpAddress(flags.http ?? fromEnv ?? DEFAULT_HTTP);
  if ("error" in parsed) throw new UsageError(fromEnv !== undefined ? parsed.error.replace(/^--http:/, "SCHEDULER_HTTP:") : parsed.error);
  // Refused before anything starts: the console and its API must not face a network unguarded.
  const refused = checkBind(parsed.host, flags.httpToken);
  if (refused) throw new UsageError(refused);
  out.http = parsed;
  return out;
}
