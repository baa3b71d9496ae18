import { defineConfig } from "vitest/config";
import SlowestFirst from "./test/setup/slowest-first.js";

/**
 * Existing behaviour on a Redis Cluster: these files run a second time in the "on-cluster"
 * project, against a 6-node cluster its global setup starts (test/setup/redis-cluster.ts): the
 * whole queue and scheduler suites (but their CLI and daemon ends, CLI_AND_DAEMON_ENDS), and the
 * workers, the CLI's readers and the event streams through representative files, within the
 * suite's time budget.
 */
const ON_CLUSTER = [
  "test/queue/**/*.redis.test.ts",
  "test/scheduler/*.redis.test.ts",
  "test/ops/readers-tags.redis.test.ts",
  "test/worker/pool.redis.test.ts",
  "test/worker/crash.redis.test.ts",
  "test/cli/status.redis.test.ts",
  "test/cli/jobs.redis.test.ts",
  "test/cli/purge.redis.test.ts",
  "test/redis/key-tags.redis.test.ts",
  "test/log/event-streams.redis.test.ts",
  "test/log/read-events.redis.test.ts",
];

/** Of the queue and scheduler suites, the files that spawn the CLI or daemons: the layout and the topology do not change what they print. */
const CLI_AND_DAEMON_ENDS = [
  "test/queue/typed-enqueue.redis.test.ts",
  "test/scheduler/schedule-cli.redis.test.ts",
  "test/scheduler/cli.redis.test.ts",
  "test/scheduler/schedule-daemon.redis.test.ts",
  "test/scheduler/daemons.redis.test.ts",
  "test/scheduler/hashed-cron.redis.test.ts",
];

/**
 * The layout of the installations from before the per-queue one (every key on `{prefix}`), which
 * keep running on it: the core queue and scheduler suites, and workers, a kill and the CLI's
 * readers end to end, run on it a second time (TEST_JOB_TAGS=installation; test/helpers/redis.ts).
 */
const INSTALLATION_LAYOUT = {
  include: [
    "test/queue/**/*.redis.test.ts",
    "test/scheduler/*.redis.test.ts",
    "test/worker/pool.redis.test.ts",
    "test/worker/crash.redis.test.ts",
    "test/reliability/kill.redis.test.ts",
    "test/cli/status.redis.test.ts",
    "test/cli/jobs.redis.test.ts",
  ],
  exclude: [
    // the per-queue layout's own tests (they build its keys themselves)
    "test/queue/partitions.redis.test.ts",
    "test/queue/*-elsewhere.redis.test.ts",
    "test/queue/take-tags.redis.test.ts",
    "test/scheduler/guard-tags.redis.test.ts",
    "test/scheduler/history-tags.redis.test.ts",
    ...CLI_AND_DAEMON_ENDS,
  ],
};

// Two cores: keep parallelism modest; every test file owns its Redis key prefix or database.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // no-leaked-processes: a test that leaves a process it started running fails, naming it (per
    // test; what beforeAll starts, per file). The cluster projects use it too: their nodes are
    // started by globalSetup (outside the worker) or in beforeAll (the file's).
    setupFiles: ["test/setup/fast-check.ts", "test/setup/no-leaked-processes.ts"],
    // One PING first: with no Redis the run stops with one line instead of every file timing out.
    // Then a build when src/ is newer than dist/: the process tests run the built CLI.
    globalSetup: ["test/setup/redis-answers.ts", "test/setup/fresh-dist.ts"],
    // Generous: process tests take up to ~20 s on a busy 2-core machine; every wait inside is bounded.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: "forks",
    maxWorkers: 3,
    // Longest files first (a committed table on a clean clone, where vitest has no results
    // cache): the run does not end on one long file started last.
    sequence: { sequencer: SlowestFirst },
    // Groups run one after the other (sequence.groupOrder), so the clusters of the last two never
    // compete with the main suite for the two cores.
    projects: [
      { extends: true, test: { name: "main", exclude: ["test/cluster/**", "**/node_modules/**"], sequence: { groupOrder: 0 } } },
      // Beside the main project, one file at a time: its files are short and mostly in-process.
      // Not `extends` (here and below): include and globalSetup would be merged with the root's,
      // not replaced. The main project's global setup builds dist/ for both.
      {
        test: {
          name: "installation-layout",
          ...INSTALLATION_LAYOUT,
          env: { TEST_JOB_TAGS: "installation" },
          setupFiles: ["test/setup/fast-check.ts", "test/setup/no-leaked-processes.ts"],
          globalSetup: ["test/setup/redis-answers.ts"],
          testTimeout: 60_000,
          hookTimeout: 30_000,
          pool: "forks",
          maxWorkers: 1,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: "on-cluster",
          include: ON_CLUSTER,
          exclude: CLI_AND_DAEMON_ENDS,
          setupFiles: ["test/setup/fast-check.ts", "test/setup/no-leaked-processes.ts"],
          globalSetup: ["test/setup/redis-answers.ts", "test/setup/redis-cluster.ts"],
          testTimeout: 60_000,
          hookTimeout: 30_000,
          pool: "forks",
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      // Fault tests, each file with its own cluster or sentinel set: one file at a time.
      {
        test: {
          name: "cluster-faults",
          include: ["test/cluster/**/*.cluster.test.ts", "test/cluster/**/*.sentinel.test.ts"],
          setupFiles: ["test/setup/fast-check.ts", "test/setup/no-leaked-processes.ts"],
          globalSetup: ["test/setup/redis-answers.ts"],
          testTimeout: 90_000,
          hookTimeout: 60_000,
          pool: "forks",
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
