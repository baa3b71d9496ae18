import { defineConfig } from "vitest/config";

// Two cores: keep parallelism modest; every test file owns its Redis key prefix or database.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // no-leaked-processes: a test that leaves a process it started running fails, naming it.
    setupFiles: ["test/setup/fast-check.ts", "test/setup/no-leaked-processes.ts"],
    // One PING first: with no Redis the run stops with one line instead of every file timing out.
    // Then a build when src/ is newer than dist/: the process tests run the built CLI.
    globalSetup: ["test/setup/redis-answers.ts", "test/setup/fresh-dist.ts"],
    // Generous: process tests take up to ~20 s on a busy 2-core machine; every wait inside is bounded.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: "forks",
    maxWorkers: 3,
  },
});
