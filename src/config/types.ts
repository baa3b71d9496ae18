/** The resolved configuration every component receives. Built by src/settings/resolve.ts. */
import type { RetryPolicy } from "./retry-policy.js";
import type { Limits } from "./limits.js";

export interface RateLimit {
  /** At most `max` jobs started per `per` seconds, across every worker on this Redis. */
  max: number;
  per: number;
}

export interface QueueConfig {
  /** Default job timeout, seconds. */
  timeout: number;
  /** Worker processes `scheduler start` runs for this queue. */
  workers: number;
  /** Jobs one worker process runs at once (async tasks share a process). */
  concurrency: number;
  rateLimit?: RateLimit;
  /** V8 heap limit (MB) of the worker processes serving this queue (`--max-old-space-size`). */
  maxMemoryMb?: number;
  /** Retry policy of the queue's jobs that name none (hooks `queues.<name>.retry`, normalized). */
  retry?: RetryPolicy;
  /**
   * How many queues this one is spread over (default 1), each on its own hash tag on the per-queue
   * layout, so a hot queue spans several masters of a Redis Cluster (src/queue/partitions.ts).
   */
  partitions?: number;
}

/** hooks `redis.tls`, for rediss:// URLs (applied by src/redis/tls.ts). */
export interface RedisTlsSettings {
  /** Path of the CA certificate(s) (PEM) the server's certificate must chain to. */
  ca?: string;
  /** Path of the client certificate (PEM), for servers with tls-auth-clients. */
  cert?: string;
  /** Path of the client certificate's private key (PEM). */
  key?: string;
  /** The name the server's certificate must carry (SNI), when it differs from the host. */
  servername?: string;
  /** false skips certificate checks: for testing only. Default true. */
  rejectUnauthorized?: boolean;
}

export type ConfigSource = "flag" | "env" | "hooks" | "default";

export interface RetentionConfig {
  /** Seconds a finished job and its result are kept (Frappe: 600). */
  finished: number;
  /** Seconds a failed job is kept (Frappe: 7 days). */
  failed: number;
}

export interface ResolvedConfig {
  /** Absolute path of the hooks file. */
  hooksFile: string;
  /** Absolute folder dotted task paths resolve under. */
  appRoot: string;
  /** undefined: nothing configured, the embedded default applies (see daemon/embedded-redis). */
  redisUrl: string | undefined;
  prefix: string;
  /**
   * Where the installation's job keys are (src/redis/key-layout.ts): read from Redis by the
   * process that connects (daemon, worker), and passed on to its worker children.
   */
  keyLayout?: "installation" | "queue";
  /** hooks `key_layout`: the layout the daemon and the workers claim (src/redis/key-layout.ts claimKeyLayout). */
  claimLayout?: "installation" | "queue";
  /** IANA zone cron is evaluated in. */
  timezone: string;
  /** Seconds between runs of the `all` event. */
  schedulerInterval: number;
  queues: Record<string, QueueConfig>;
  logLevel: "trace" | "debug" | "info" | "warn" | "error" | "fatal";
  retention: RetentionConfig;
  /** hooks `job_failure_handlers`: dotted paths the workers call once per final job failure. */
  failureHandlers?: string[];
  /** Payload signing (src/security/signing.ts): hooks `signing` or SCHEDULER_SIGNING_SECRET. */
  signing?: { secret: string; maxAge?: number };
  /** hooks `redis.tls` (paths absolute), for rediss:// URLs (src/redis/tls.ts). */
  redisTls?: RedisTlsSettings;
  /** hooks `tasks.allow` plus every path the hooks file declares; absent: no restriction (src/tasks/task-allow.ts). */
  tasksAllow?: string[];
  /** hooks `limits` (src/config/limits.ts); absent: the defaults. */
  limits?: Partial<Limits>;
  /** hooks `redact`, else the default list (src/security/redact.ts). */
  redact?: readonly string[];
  /** Where each setting came from, for `doctor` and the start banner. */
  sources: Record<"redisUrl" | "prefix" | "timezone" | "schedulerInterval" | "logLevel", ConfigSource>;
}
