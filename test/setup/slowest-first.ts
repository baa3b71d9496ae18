/**
 * vitest sequencer: within a project, the files known to take longest start first, so the
 * suite's tail is not one long file started last on an otherwise idle pool. vitest does this by
 * itself only from its results cache (node_modules/.vite), which a clean clone (CI) does not
 * have: there it falls back to file size, which puts the 70 s leader-gap file anywhere. The
 * committed table (test/setup/file-durations.json, refreshed by `node scripts/test-durations.mjs`
 * after a whole run) fills that gap; vitest's own cache, when present, wins because it is newer.
 * Group order stays as vitest's BaseSequencer has it; projects of one group mix, longest first.
 */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

type Durations = Record<string, number>;

function committedDurations(): Durations {
  try {
    return JSON.parse(readFileSync(new URL("./file-durations.json", import.meta.url), "utf8")) as Durations;
  } catch {
    return {};
  }
}

export default class SlowestFirst extends BaseSequencer {
  private readonly committed = committedDurations();

  /** The file's last duration in ms: vitest's cache first, then the committed table, else 0. */
  private duration(spec: TestSpecification): number {
    const key = `${spec.project.name}:${relative(this.ctx.config.root, spec.moduleId)}`;
    return this.ctx.cache.getFileTestResults(key)?.duration ?? this.committed[key] ?? 0;
  }

  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const order = await super.sort(files);
    const rank = new Map(order.map((spec, i) => [spec, i]));
    return [...order].sort((a, b) => {
      const group = a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder;
      if (group !== 0) return group;
      return this.duration(b) - this.duration(a) || rank.get(a)! - rank.get(b)!;
    });
  }
}
