import { describe, expect, it } from "vitest";
import { groupsFromConfig, planWorkerGroup } from "../../src/worker/supervisor/groups.js";
import type { ResolvedConfig } from "../../src/config/types.js";

const config = {
  hooksFile: "/app/hooks.ts",
  queues: {
    short: { timeout: 300, workers: 1, concurrency: 1 },
    default: { timeout: 300, workers: 1, concurrency: 1 },
    mine: { timeout: 60, workers: 2, concurrency: 4 },
  },
} as unknown as ResolvedConfig;

describe("planWorkerGroup (scheduler worker flags)", () => {
  it("serves the queues in the order given, with the largest concurrency of them by default", () => {
    expect(planWorkerGroup(config, { queues: "mine, short,mine" })).toEqual({
      name: "mine,short",
      queues: ["mine", "short"],
      processes: 1,
      concurrency: 4,
      strategy: "priority",
    });
  });

  it("takes --concurrency, --processes and --strategy round_robin", () => {
    expect(planWorkerGroup(config, { queues: "short,default", concurrency: "10", processes: "3", strategy: "round_robin" })).toMatchObject({
      concurrency: 10,
      processes: 3,
      strategy: "round_robin",
    });
  });

  it("rejects bad flags with one line naming the flag", () => {
    expect(() => planWorkerGroup(config, { queues: "short,nope" })).toThrow('--queue: unknown queue "nope"');
    expect(() => planWorkerGroup(config, { queues: " , " })).toThrow("--queue: no queue named");
    expect(() => planWorkerGroup(config, { queues: "short", concurrency: "0" })).toThrow('--concurrency: "0" is not a positive whole number');
    expect(() => planWorkerGroup(config, { queues: "short", processes: "1.5" })).toThrow("--processes");
    expect(() => planWorkerGroup(config, { queues: "short", strategy: "random" })).toThrow('--strategy: "random" is not a strategy');
  });
});

describe("groupsFromConfig (scheduler start)", () => {
  it("runs each queue's workers and concurrency from the hooks settings", () => {
    expect(groupsFromConfig(config).map((g) => [g.name, g.processes, g.concurrency])).toEqual([
      ["short", 1, 1],
      ["default", 1, 1],
      ["mine", 2, 4],
    ]);
    expect(groupsFromConfig(config, "mine").map((g) => g.queues)).toEqual([["mine"]]);
  });
});
