/**
 * Which Redis the tests use: TEST_REDIS_URL (any server) or redis://127.0.0.1:6379, on
 * database TEST_REDIS_DB, else the URL's own database, else 1. Never database 0 unless asked for:
 * that is where an installation started with defaults (`npm start`) keeps its state. No imports
 * beyond node's, so the global setup can use it before anything else loads.
 */
const DEFAULT_HOST_URL = "redis://127.0.0.1:6379";
export const DEFAULT_TEST_DB = 1;

export interface TestRedisTarget {
  url: string;
  db: number;
}

/** The test Redis for an environment; throws one line naming the variable when it is malformed. */
export function testRedisTarget(env: NodeJS.ProcessEnv = process.env): TestRedisTarget {
  const raw = env.TEST_REDIS_URL?.trim() || DEFAULT_HOST_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`TEST_REDIS_URL=${JSON.stringify(raw)} is not a URL; use redis://[:password@]host:port[/db]`);
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    throw new Error(`TEST_REDIS_URL=${JSON.stringify(raw)} is not a redis:// or rediss:// URL`);
  }
  const fromUrl = url.pathname.replace(/^\//, "");
  const dbText = env.TEST_REDIS_DB?.trim() || fromUrl || String(DEFAULT_TEST_DB);
  if (!/^\d+$/.test(dbText)) {
    throw new Error(`${env.TEST_REDIS_DB?.trim() ? "TEST_REDIS_DB" : "TEST_REDIS_URL's database"} ${JSON.stringify(dbText)} is not a database number`);
  }
  url.pathname = `/${dbText}`;
  return { url: url.toString(), db: Number(dbText) };
}
