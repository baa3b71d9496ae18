-- enqueue_lib.lua: checking and writing prepared jobs (enqueue.lua, complete.lua's follow-ups).
-- Provides: check_spec, write_spec, reject_follow_up
-- A spec is the JSON of a PreparedJob:
--   { id, queue, fields = { hash field = string }, runAt? (ms), atFront?, deduplicate?,
--     dependsOn? = [ids], allowFailure?, elsewhere? = { dep id = its queue, or false },
--     parentQueue? (fields.parentId's queue, when its keys are on another tag) }
--   elsewhere: the dependencies on another tag (issue 17: a queue per tag), which this script
--   cannot read; the caller checked them (src/queue/dependencies-elsewhere.ts): a queue name
--   for one still live (waited on through a link record, see deps_lib), false for one settled
--   that is not waited on (finished, or failed with allowFailure)
-- check_spec(spec, seen) -> verdict, detail...   (reads only)
--   "new", status | "dedupe", status | "live", status
--   "unknown-dep", dep                 a dependency id names no job
--   "failed-dep", dep, status          a dependency already failed/canceled (no allowFailure)
-- write_spec(spec) -> status written ("queued", "scheduled" or "deferred"). The spec's queue is
--   listed in the queues set by the caller before the script (job-scripts.ts
--   runWritingJobScript): that set is an installation key, not of the queue's tag.
--@include deps_lib
--@include children_lib

-- dependencies of a spec about to be written: refuse unknown ones and (without allowFailure)
-- failed ones. `seen` holds the specs of the same call written before this one.
local function check_deps(spec, seen)
  local elsewhere = spec.elsewhere or {}
  for _, d in ipairs(spec.dependsOn or {}) do
    if elsewhere[d] == nil then
      local st = seen[d] or redis.call("HGET", key("job", d), "status")
      if not st then return "unknown-dep", d end
      if not LIVE[st] and st ~= "finished" and not spec.allowFailure then return "failed-dep", d, st end
    end
  end
  return nil
end

local function check_spec(spec, seen)
  local st = seen[spec.id] or redis.call("HGET", key("job", spec.id), "status")
  if st and LIVE[st] then
    if spec.deduplicate then return "dedupe", st end
    return "live", st
  end
  local bad, dep, dep_st = check_deps(spec, seen)
  if bad then return bad, dep, dep_st end
  return "new", st
end

-- the warn event of a follow-up of job `parent` not enqueued (complete.lua, follow_up_enqueue.lua):
-- verdict "live" (its id is taken), "unknown-dep" or "failed-dep" (dependency `dep`)
local function reject_follow_up(spec, verdict, dep, parent)
  local why = "id " .. spec.id .. " is taken by a live job"
  if verdict == "unknown-dep" then why = "dependency " .. dep .. " is not a job" end
  if verdict == "failed-dep" then why = "dependency " .. dep .. " already failed" end
  emit("job.rejected", "warn", "follow-up not enqueued: " .. why, spec.id, spec.queue, { data = { parentId = parent } })
end

local function write_spec(spec)
  local id, q = spec.id, spec.queue
  local jk = key("job", id)
  local old_q = redis.call("HGET", jk, "queue")
  if old_q then
    -- a finished/failed/canceled job with this id is replaced (RQ semantics): it leaves its
    -- registry and its history goes with it; dependents it left unsettled are settled first
    settle_leftovers(id)
    redis.call("ZREM", key("finished", old_q), id)
    redis.call("ZREM", key("failed", old_q), id)
    redis.call("ZREM", key("canceled", old_q), id)
    redis.call("DEL", jk, key("attempts", id), key("children", id), key("remote-deps", id))
  end
  -- dependencies not settled yet (finished ones, and failed ones with allowFailure, are not waited on)
  local waiting, remote = {}, {}
  local elsewhere = spec.elsewhere or {}
  for _, d in ipairs(spec.dependsOn or {}) do
    local there = elsewhere[d]
    if there then
      remote[#remote + 1] = d
    elseif there == nil then
      local st = redis.call("HGET", key("job", d), "status")
      if st and LIVE[st] then waiting[#waiting + 1] = d end
    end
  end
  local run_at = tonumber(spec.runAt)
  -- a job queued at the moment it was created keeps no createdAt: it reads as enqueuedAt
  -- (decodeJob), and to_queued copies enqueuedAt into it before any later requeue rewrites it.
  -- ARGV[2] is the caller's now as sent, the same text as the createdAt it read from one clock.
  -- A signed job keeps it: a worker of an older version verifies over the stored createdAt.
  local drop_created = #waiting + #remote == 0 and not (run_at and run_at > NOW) and not spec.fields.sig
  local flat = {}
  for k, v in pairs(spec.fields) do
    if not (drop_created and k == "createdAt" and v == ARGV[2]) then
      flat[#flat + 1] = k
      flat[#flat + 1] = v
    end
  end
  local status
  if #waiting + #remote > 0 then
    status = "deferred"
    to_deferred(id, q, waiting, run_at, flat, #remote)
    for _, d in ipairs(remote) do
      waiting[#waiting + 1] = d -- for the event only (to_deferred has linked the local ones)
      redis.call("HSET", key("remote-deps", id), d, elsewhere[d])
      forward_write("link\t" .. id .. "\t" .. d, { kind = "link", job = id, queue = q, dep = d, depQueue = elsewhere[d] })
    end
  elseif run_at and run_at > NOW then
    status = "scheduled"
    to_scheduled(id, q, run_at, { set = flat })
  else
    status = "queued"
    to_queued(id, q, { front = spec.atFront, set = flat, fresh = true })
  end
  if spec.fields.parentId and spec.parentQueue then
    -- the parent's keys are on another tag: a child record, applied there (child_link.lua)
    forward_write("child\t" .. spec.fields.parentId .. "\t" .. id, { kind = "child", parent = spec.fields.parentId, parentQueue = spec.parentQueue, job = id, queue = q })
  elseif spec.fields.parentId then
    record_child(spec.fields.parentId, id)
  end
  emit("job.enqueued", "info", "enqueued " .. (spec.fields.method or "?") .. " (" .. status .. ")", id, q,
    { task = spec.fields.task or spec.fields.method, data = { status = status, waitingOn = status == "deferred" and waiting or nil } })
  return status
end
