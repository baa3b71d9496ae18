/**
 * The contract between the queue and the workers: every call is one Lua script (or MULTI).
 * INTERFACE COMMIT: bodies land in the next commit; signatures are final.
 */
import type { Redis } from "ioredis";
import type { QueueEnv } from "./context.js";
import type { Job, PreparedJob } from "./types.js";

export interface DequeueOptions {
  queues: string[];
  worker: string;
  leaseMs: number;
  strategy?: "priority" | "round_robin";
}

const pending = (name: string): never => {
  throw new Error(`${name}: implementation lands in the next commit`);
};

export async function dequeue(_env: QueueEnv, _o: DequeueOptions): Promise<Job | null> {
  return pending("dequeue");
}
export async function waitForJobs(_b: Redis, _env: QueueEnv, _queues: string[], _timeoutSeconds: number): Promise<boolean> {
  return pending("waitForJobs");
}
export async function heartbeat(_env: QueueEnv, _o: { worker: string; jobs: Array<{ id: string; queue: string }>; leaseMs: number }): Promise<void> {
  return pending("heartbeat");
}
export async function completeJob(_env: QueueEnv, _o: { job: Job; worker: string; result: unknown; followUps?: PreparedJob[] }): Promise<"finished" | "lease-lost"> {
  return pending("completeJob");
}
export async function failJob(_env: QueueEnv, _o: { job: Job; worker: string; error: unknown; reason?: "error" | "timeout" | "abandoned" }): Promise<"retry-scheduled" | "failed" | "lease-lost"> {
  return pending("failJob");
}
export async function requeueJob(_env: QueueEnv, _o: { job: Job; worker: string; reason: string }): Promise<boolean> {
  return pending("requeueJob");
}
export async function reapStalled(_env: QueueEnv, _o: { stallLimit: number }): Promise<{ requeued: string[]; failed: string[] }> {
  return pending("reapStalled");
}
export async function promoteScheduled(_env: QueueEnv, _o: { limit?: number } = {}): Promise<number> {
  return pending("promoteScheduled");
}
