import type { Redis } from "ioredis";
import type { Keys } from "../redis/keys.js";
import type { ResolvedConfig } from "../config/types.js";
export interface HttpDeps {
  redis: Redis;              // command connection, never used for blocking reads
  keys: Keys;
  config: ResolvedConfig;    // zone, queues, prefix, ...
  readOnly: boolean;         // --read-only: writes answer 405
  token?: string;            // --http-token / SCHEDULER_HTTP_TOKEN
  clock: () => number;
  role: "daemon" | "serve";
}
