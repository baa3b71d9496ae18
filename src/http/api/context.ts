/**
 * What the console's API handlers share: the queue env built from the HTTP deps, the scheduled
 * tasks and redaction list read from the hooks file once, and one way to answer an error.
 */
import { stat } from "node:fs/promises";
import type { FastifyReply } from "fastify";
import { loadHooks } from "../../hooks/load.js";
import type { ScheduledTask } from "../../hooks/types.js";
import type { QueueEnv } from "../../queue/context.js";
import { SchedulerError } from "../../base/errors.js";
import { DEFAULT_REDACT_KEYS } from "../../security/redact.js";
import type { HttpDeps } from "../types.js";

export interface ConsoleDeps extends HttpDeps {
  /** The hooks' scheduled tasks; read from config.hooksFile when not given. */
  tasks?: readonly ScheduledTask[];
  /** kwargs keys shown masked; hooks `redact` when given, else DEFAULT_REDACT_KEYS. */
  redactKeys?: readonly string[];
}

export interface ApiContext {
  deps: HttpDeps;
  env: QueueEnv;
  /** The hooks file's tasks as of its last good load. */
  readonly tasks: readonly ScheduledTask[];
  readonly redactKeys: readonly string[];
  /** Set while the hooks file on disk does not load (the last good tasks are kept). */
  readonly hooksProblem: string | undefined;
  /** Read the hooks file again if it changed on disk (a deploy, a SIGHUP reload); cheap otherwise. */
  refresh(): Promise<void>;
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === "string") ? (value as string[]) : undefined;
}

interface HooksState {
  tasks: readonly ScheduledTask[];
  redactKeys: readonly string[];
  mtimeMs: number;
  problem?: string;
}

async function readHooks(deps: ConsoleDeps, fresh: boolean): Promise<HooksState> {
  // `scheduler serve` on a monitoring host may have no hooks file: no schedules to show then.
  const mtimeMs = await stat(deps.config.hooksFile).then((s) => s.mtimeMs, () => undefined);
  if (mtimeMs === undefined) return { tasks: deps.tasks ?? [], redactKeys: deps.redactKeys ?? deps.config.redact ?? DEFAULT_REDACT_KEYS, mtimeMs: 0 };
  const hooks = await loadHooks({ hooksPath: deps.config.hooksFile, fresh });
  return {
    tasks: deps.tasks ?? hooks.tasks,
    redactKeys: deps.redactKeys ?? stringList((hooks.definition as Record<string, unknown>).redact) ?? deps.config.redact ?? DEFAULT_REDACT_KEYS,
    mtimeMs,
  };
}

export async function apiContext(deps: ConsoleDeps): Promise<ApiContext> {
  const given = deps.tasks !== undefined && deps.redactKeys !== undefined;
  let state: HooksState = given ? { tasks: deps.tasks!, redactKeys: deps.redactKeys!, mtimeMs: 0 } : await readHooks(deps, false);
  const refresh = async () => {
    if (given) return;
    const mtimeMs = await stat(deps.config.hooksFile).then((s) => s.mtimeMs, () => state.mtimeMs);
    if (mtimeMs === state.mtimeMs) return;
    try {
      state = await readHooks(deps, true);
    } catch (err) {
      // mid-edit or broken: keep showing the last good tasks, and say why they may be stale
      state = { ...state, mtimeMs, problem: `the hooks file does not load (${(err as Error).message.split("\n")[0]}); showing its last good version` };
    }
  };
  const env: QueueEnv = {
    redis: deps.redis,
    keys: deps.keys,
    clock: deps.clock,
    queues: deps.config.queues,
    retention: deps.config.retention,
    ...(deps.config.signing ? { signing: deps.config.signing } : {}),
  };
  return {
    deps,
    env,
    get tasks() {
      return state.tasks;
    },
    get redactKeys() {
      return state.redactKeys;
    },
    get hooksProblem() {
      return state.problem;
    },
    refresh,
  };
}

/** Errors the handlers raise on purpose: a status and a message the page shows as is. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: SchedulerError["code"],
    message: string,
  ) {
    super(message);
  }
}

export function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof ApiError) return reply.code(err.status).send({ error: { code: err.code, message: err.message } });
  if (err instanceof SchedulerError) {
    const status = err.code === "NO_SUCH_JOB" ? 404 : 409;
    return reply.code(status).send({ error: { code: err.code, message: err.message } });
  }
  throw err;
}

/** A query parameter as one string (the last one when repeated), or undefined when empty. */
export function param(query: unknown, name: string): string | undefined {
  const v = (query as Record<string, unknown> | undefined)?.[name];
  const s = Array.isArray(v) ? v[v.length - 1] : v;
  return typeof s === "string" && s !== "" ? s : undefined;
}

/** An integer query parameter within [min, max], or a 400 naming it. */
export function intParam(query: unknown, name: string, fallback: number, min: number, max: number): number {
  const s = param(query, name);
  if (s === undefined) return fallback;
  const n = Number(s);
  if (!Number.isInteger(n) || n < min || n > max) throw new ApiError(400, "BAD_PARAM", `${name}=${s} is not a whole number from ${min} to ${max}`);
  return n;
}

/** A time query parameter: ms since epoch or an ISO date; a 400 naming it otherwise. */
export function timeParam(query: unknown, name: string): number | undefined {
  const s = param(query, name);
  if (s === undefined) return undefined;
  const n = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
  if (!Number.isFinite(n)) throw new ApiError(400, "BAD_PARAM", `${name}=${s} is not a time: use ms since epoch or an ISO date`);
  return n;
}
