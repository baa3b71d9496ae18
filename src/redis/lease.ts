/**
 * The one token-lease implementation (lease_acquire / lease_renew / lease_release.lua): a
 * patterns lock and the scheduler leader lease both hold a key whose value is their random
 * token, renewed by compare-and-pexpire and released by compare-and-delete. The scheduler's
 * lease is fenced: each grant raises a number in a fence hash (see lease_lib.lua, fence_lib.lua).
 * Each call answers a typed outcome, decoded here once.
 */
import type { Redis } from "ioredis";
import { runScript } from "./scripts.js";

export type LeaseGrant =
  /** fence: the lease number (fenced leases; 0 when the fence hash has none), else 0. */
  | { granted: true; ttlMs: number; fence: number }
  /** heldMs: what the holder's lease has left (-1: the key has no expiry). */
  | { granted: false; heldMs: number };

export interface LeaseFence {
  /** The fence hash (keys.schedulerFence()). */
  key: string;
  /** Now (ms, the caller's clock), kept as the grant time. */
  now: number;
  /** A new grant's number is above this one (the queues' tags' highest: lease_lib.lua). */
  floor?: number;
}

/** Take the lease `key` for `token` (or renew it when the token already holds it). */
export async function acquireLease(redis: Redis, key: string, token: string, ttlMs: number, fence?: LeaseFence): Promise<LeaseGrant> {
  const keys = fence ? [key, fence.key] : [key];
  const args = fence ? [token, ttlMs, fence.now, ...(fence.floor !== undefined ? [fence.floor] : [])] : [token, ttlMs];
  return decodeGrant(await runScript<unknown>(redis, "lease_acquire", keys, args));
}

function decodeGrant(raw: unknown): LeaseGrant {
  if (!Array.isArray(raw) || raw.length !== 3) throw new Error(`lease_acquire answered ${JSON.stringify(raw)}, not [granted, ms, fence]`);
  const [ok, ms, fence] = raw.map(Number) as [number, number, number];
  return ok === 1 ? { granted: true, ttlMs: ms, fence } : { granted: false, heldMs: ms };
}

/** Extend the lease by `ttlMs` from now; false when the token no longer holds it. */
export async function renewLease(redis: Redis, key: string, token: string, ttlMs: number): Promise<boolean> {
  return (await runScript<number>(redis, "lease_renew", [key], [token, ttlMs])) === 1;
}

/** Give the lease up (announcing it on `channel`, if given); false when it was no longer ours. */
export async function releaseLease(redis: Redis, key: string, token: string, channel?: string): Promise<boolean> {
  const args = channel === undefined ? [token] : [token, channel];
  return (await runScript<number>(redis, "lease_release", [key], args)) === 1;
}

/** The scripts the lease calls run, to preload before piping them. */
export const LEASE_SCRIPTS = ["lease_acquire", "lease_renew", "lease_release"] as const;
