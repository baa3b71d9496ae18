/**
 * Reference: "Job Chaining". With enqueueAfterCommit the next step is pushed only when this
 * job succeeds (the reference enqueues it even if step 1 fails after the enqueue line).
 */
import { enqueue } from "../src/index.js";

export async function job_step_1({ dataId }: { dataId: string }) {
  const result = `step1(${dataId})`; // perform_step_1
  await enqueue("examples.job_chaining.job_step_2", { dataId, step1Result: result, enqueueAfterCommit: true });
  return result;
}

export async function job_step_2({ dataId, step1Result }: { dataId: string; step1Result: string }) {
  const result = `step2(${step1Result})`;
  await enqueue("examples.job_chaining.job_step_3", { dataId, step2Result: result, enqueueAfterCommit: true });
  return result;
}

export async function job_step_3({ step2Result }: { step2Result: string }) {
  return `done(${step2Result})`;
}
