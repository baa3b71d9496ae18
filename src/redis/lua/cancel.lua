-- cancel.lua: cancel a job that has not started (queued, scheduled or deferred).
-- Jobs that depend on it are canceled in turn ("dependency <id> failed"), unless they allow
-- failure. A started job is only flagged (cancelRequested = now): its worker's supervisor reads
-- the flag with its next heartbeat and stops the job (src/worker/job-cancel.ts; cancel_started.lua).
-- KEYS[1] the forward records of the call's tag (keys.forward(tag), forward_lib; routes the call)
-- KEYS[2] events stream of the call's tag (keys.events(tag))
-- ARGV[1] env header (see job_lib)
-- ARGV[2] now ms
-- ARGV[3] job id
-- ARGV[4] canceled retention ms
-- Returns: "ok" when canceled now, "requested" when a started job was flagged (or already was),
--   the job's status when it cannot be canceled ("finished", "failed", "canceled"), or
--   "missing" when there is no such job.
--@include deps_lib

local id = ARGV[3]
local jk = key("job", id)
local j = redis.call("HMGET", jk, "status", "queue", "task")
local st, q = j[1], j[2]
if not st then return "missing" end
if st == "queued" then
  redis.call("LREM", key("queue", q), 0, id)
  trim_wake(q)
elseif st == "scheduled" then
  redis.call("ZREM", key("scheduled", q), id)
elseif st == "deferred" then
  redis.call("ZREM", key("deferred", q), id)
  unlink(id)
  redis.call("HDEL", jk, "depsLeft")
elseif st == "started" then
  if redis.call("HSETNX", jk, "cancelRequested", NOW) == 1 then
    local w = redis.call("HGET", jk, "worker")
    emit("job.cancel_requested", "info", "cancel requested while running on " .. tostring(w) .. "; its worker stops it", id, q, { worker = w, task = j[3] or nil })
  end
  return "requested"
else
  return st
end
to_canceled(id, q, nil, tonumber(ARGV[4]), { type = "job.canceled", level = "info", msg = "canceled while " .. st, extra = { task = j[3] or nil } })
fail_dependents(id, "failed")
return "ok"
