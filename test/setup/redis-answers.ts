/**
 * vitest globalSetup: before any test file starts, PING the test Redis once. When none answers,
 * stop the run with one line instead of every file flooding ECONNREFUSED until its timeouts.
 */
import { Socket } from "node:net";
import { testRedisTarget } from "../helpers/test-redis-url.js";

const PING_TIMEOUT_MS = 2_000;

/** Resolves when the server answers a PING (or says it wants a password: it is there). */
function ping(url: URL): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    const done = (err?: Error) => {
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    socket.setTimeout(PING_TIMEOUT_MS, () => done(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)));
    socket.once("error", (err) => done(err));
    socket.once("data", (d) => (/^(\+PONG|-NOAUTH)/.test(d.toString()) ? done() : done(new Error(`unexpected reply ${JSON.stringify(d.toString().trim())}`))));
    socket.connect(Number(url.port || 6379), url.hostname, () => socket.write("PING\r\n"));
  });
}

export default async function setup(): Promise<void> {
  let target;
  try {
    target = testRedisTarget();
  } catch (err) {
    stop(`tests: ${(err as Error).message}`);
  }
  if (target.url.startsWith("rediss:")) return; // TLS: the files' own clients will say what is wrong
  try {
    await ping(new URL(target.url));
  } catch (err) {
    stop(`tests: no Redis answers at ${target.url} (${(err as Error).message}): start redis-server, or set TEST_REDIS_URL`);
  }
}

/** One line and exit 1: vitest would print a stack trace for a thrown error. */
function stop(line: string): never {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}
