-- moves_lib.lua: the one function per job state move (to queued, started, finished, failed,
-- canceled, scheduled, deferred), used by every script that makes that move.
-- A move writes where the job goes: its status and the hash fields that come with it, its
-- place (queue list + wake marker, or registry), its TTL when it ends, and the move's event when
-- the caller gives one. The caller has already taken the job out of where it was (LREM, ZREM:
-- those differ per script and often decide who wins), and settles the jobs that depend on it
-- (deps_lib), which are other jobs' moves.
-- `set`: extra hash fields written in the same HSET (a flat list: field, value, ...);
-- `drop`: fields removed (HDEL); `event`: { type, level, msg, extra } for emit(), or nil.
-- Provides: to_queued, to_started, to_finished, to_failed, to_canceled, to_scheduled, to_deferred
--@include job_lib

local function hset_status(jk, status, set, ...)
  if set then
    local all = { ... }
    for i = 1, #set do all[#all + 1] = set[i] end
    redis.call("HSET", jk, "status", status, unpack(all))
  else
    redis.call("HSET", jk, "status", status, ...)
  end
end

local function move_event(event, id, q)
  if event then emit(event.type, event.level, event.msg, id, q, event.extra) end
end

-- queued: enqueuedAt = now, onto the queue list (front or back) with one wake marker. A job
-- queued when it was created has no createdAt (it reads as its first enqueuedAt, see
-- enqueue_lib write_spec): that enqueuedAt is kept as createdAt before it is rewritten.
-- opts (or nil): front, set, drop, event, fresh (a hash just written: no enqueuedAt to keep)
local function to_queued(id, q, opts)
  local jk = key("job", id)
  opts = opts or {}
  if not opts.fresh then
    local first = redis.call("HGET", jk, "enqueuedAt")
    if first then redis.call("HSETNX", jk, "createdAt", first) end
  end
  hset_status(jk, "queued", opts.set, "enqueuedAt", NOW)
  if opts.drop then redis.call("HDEL", jk, unpack(opts.drop)) end
  push_queued(id, q, opts.front)
  move_event(opts.event, id, q)
end

-- started: leased to `worker` for `lease` ms (started:<q> scored by the lease's end), with its
-- attempt number and start time (started_at: ARGV[2] as given), and the job.started event.
-- Positional arguments: the hot path, one call per job.
local function to_started(id, q, worker, attempt, started_at, lease, task)
  redis.call("HSET", key("job", id), "status", "started", "attempt", attempt, "worker", worker, "startedAt", started_at)
  redis.call("ZADD", key("started", q), NOW + lease, id)
  -- task: the scheduled task's id, else the method (`logs --task` matches either)
  emit_job("job.started", "debug", "started attempt " .. attempt, id, q, worker, task)
end

-- finished: endedAt = now, the result JSON ("" = none), the finished registry and TTL (see
-- retire for has_children / has_attempts), the job.finished event. Positional: the hot path.
local function to_finished(id, q, result, ttl, has_children, has_attempts, worker, task, started_at)
  local jk = key("job", id)
  if result ~= "" then
    redis.call("HSET", jk, "status", "finished", "endedAt", NOW, "result", result)
  else
    redis.call("HSET", jk, "status", "finished", "endedAt", NOW)
  end
  retire(id, q, "finished", ttl, has_children, has_attempts)
  emit_job("job.finished", "info", "finished in " .. (NOW - (started_at or NOW)) .. " ms", id, q, worker, task)
end

-- failed for good: endedAt = now (+ `set`), the failed registry and TTL, the event.
local function to_failed(id, q, ttl, set, event)
  hset_status(key("job", id), "failed", set, "endedAt", NOW)
  retire(id, q, "failed", ttl)
  move_event(event, id, q)
end

-- canceled: endedAt = now, the reason (nil: none kept), the canceled registry and TTL, the event.
local function to_canceled(id, q, reason, ttl, event)
  if reason then
    redis.call("HSET", key("job", id), "status", "canceled", "endedAt", NOW, "cancelReason", reason)
  else
    redis.call("HSET", key("job", id), "status", "canceled", "endedAt", NOW)
  end
  retire(id, q, "canceled", ttl)
  move_event(event, id, q)
end

-- scheduled: due at run_at (scheduled:<q> scored by it). scheduledAt is written unless
-- `stored` (the hash holds it already: a deferred job with a run-at). opts (or nil): set, drop,
-- stored, event
local function to_scheduled(id, q, run_at, opts)
  local jk = key("job", id)
  opts = opts or {}
  if opts.stored then
    hset_status(jk, "scheduled", opts.set)
  else
    hset_status(jk, "scheduled", opts.set, "scheduledAt", run_at)
  end
  if opts.drop then redis.call("HDEL", jk, unpack(opts.drop)) end
  redis.call("ZADD", key("scheduled", q), run_at, id)
end

-- deferred: waiting on the dependency ids `waiting` (depsLeft = how many; a member of each one's
-- dependents set, which gets the hasDependents flag); run_at (or nil) kept as scheduledAt for
-- when they settle. deferred:<q> is scored by now.
local function to_deferred(id, q, waiting, run_at, set, n_remote)
  local jk = key("job", id)
  hset_status(jk, "deferred", set, "depsLeft", #waiting + (n_remote or 0))
  if run_at then redis.call("HSET", jk, "scheduledAt", run_at) end
  redis.call("ZADD", key("deferred", q), NOW, id)
  for _, d in ipairs(waiting) do
    redis.call("SADD", key("dependents", d), id)
    -- flag on the dependency (live, so its hash exists): complete.lua walks dependents only
    -- when it is set, sparing the SMEMBERS + DEL of an empty set on every completion
    redis.call("HSET", key("job", d), "hasDependents", "1")
  end
end
