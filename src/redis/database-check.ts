/**
 * ioredis answers a failed SELECT (database out of range) with an error event only and goes on
 * in database 0: writes would land in another installation's database while `status` shows
 * the URL's. A connection whose SELECT failed is refused instead, with the server's range.
 */
import type { Redis } from "ioredis";
import { RedisUnavailableError } from "../base/errors.js";
import { redactUrl } from "../security/redact-url.js";

const OUT_OF_RANGE = /DB index is out of range/i;

/** True when an error event says the URL's database could not be selected. */
export function isSelectFailure(err: Error | undefined): boolean {
  return err !== undefined && OUT_OF_RANGE.test(err.message);
}

/** The one-line refusal for a URL whose database the server does not have. */
export async function databaseOutOfRange(redis: Redis, url: string): Promise<RedisUnavailableError> {
  const db = redis.options.db ?? 0;
  let count: number | undefined;
  try {
    const reply = (await redis.call("CONFIG", "GET", "databases")) as string[];
    count = Number(reply[1]);
  } catch {
    // CONFIG may be renamed or forbidden by an ACL: say what we know.
  }
  const range = count !== undefined && Number.isInteger(count) && count > 0 ? `the server has databases 0..${count - 1}` : "the server does not have it";
  return new RedisUnavailableError("REDIS_BAD_DATABASE", `Redis at ${redactUrl(url)}: database ${db} is out of range (${range})`, {
    hint: "use a database number the server has, or raise `databases` in redis.conf",
  });
}
