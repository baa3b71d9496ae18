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
  cmd.option("--http <host:port>", `HTTP server for /metrics, /healthz, /readyz and the console (default ${DEFAULT_HTTP})`);
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
  const parsed = parseHttpAddress(flags.http ?? DEFAULT_HTTP);
  if ("error" in parsed) throw new UsageError(parsed.error);
  // Refused before anything starts: the console and its API must not face a network unguarded.
  const refused = checkBind(parsed.host, flags.httpToken);
  if (refused) throw new UsageError(refused);
  out.http = parsed;
  return out;
}
