-- fail.lua: end a started job's attempt with an error: schedule its retry, or fail it for good.
-- A final failure cancels the jobs that depend on it (see deps_lib); the caller that gets
-- outcome "failed" is the one that runs failure handlers, once.
-- KEYS[1] the forward records of the call's tag (keys.forward(tag), forward_lib; routes the call)
-- KEYS[2] events stream of the call's tag (keys.events(tag))
-- ARGV[1] env header (see job_lib)
-- ARGV[2] now ms
-- ARGV[3] job id
-- ARGV[4] worker
-- ARGV[5] error JSON { name, message, stack?, code? }
-- ARGV[6] attempt outcome ("failed" | "timeout" | "abandoned")
-- ARGV[7] retry-at ms or "" (no retry: fail now)
-- ARGV[8] failed retention ms
-- ARGV[9] trim bound
-- ARGV[10] W3C traceparent of this run or "" (optional) (kept as firstRun by the first retry: later runs link to it)
-- Returns: JSON { outcome = "retry-scheduled" | "failed" | "lease-lost" } ("lease-lost": the
--   caller does not own the job; nothing written). A final failure also returns
--   job = [HGETALL of the failed job], attempts = [attempt record JSON, oldest first],
--   canceled = [ids of dependents canceled because of it] and schedulePaused = the pause note
--   when the failure paused its schedule (pauseOnFailure); on a queue's own tag, instead of that
--   note, outcomeRecord = { field, body } of the outcome record written (schedule_outcome_lib),
--   which the caller applies at once for the note.
--@include deps_lib
--@include history_lib
--@include schedule_outcome_lib

local id, worker, err, outcome = ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local q = owns(id, worker)
if not q then return cjson.encode({ outcome = "lease-lost" }) end

local jk = key("job", id)
local e = cjson.decode(err)
local j = redis.call("HMGET", jk, "attempt", "startedAt", "task", "enqueuedAt", "scheduledFor", "method")
-- an abandoned attempt's run time is not known (its worker died somewhere in it)
local started_at = outcome ~= "abandoned" and j[2] or nil
-- events name a scheduled task's id, else the method (`logs --task` matches either)
local event_task = j[3] or j[6] or nil
redis.call("ZREM", key("started", q), id)
record_attempt(id, { attempt = tonumber(j[1]), worker = worker, startedAt = tonumber(j[2]), endedAt = NOW, outcome = outcome, error = e })
redis.call("HSET", jk, "error", err)

local retry_at = tonumber(ARGV[7])
if retry_at then
  redis.call("HINCRBY", jk, "retries", 1)
  if ARGV[10] and ARGV[10] ~= "" then redis.call("HSETNX", jk, "firstRun", ARGV[10]) end
  redis.call("HDEL", jk, "worker")
  if retry_at > NOW then
    to_scheduled(id, q, retry_at)
  else
    to_queued(id, q)
  end
  record_history(q, j[3] or nil, nil, started_at, j[4])
  history_flush()
  emit("job.retry_scheduled", "warn", "attempt " .. j[1] .. " " .. outcome .. ": " .. tostring(e.message) .. "; retry at " .. retry_at, id, q,
    { worker = worker, task = event_task, data = { retryAt = retry_at, attempt = tonumber(j[1]) } })
  return cjson.encode({ outcome = "retry-scheduled" })
end

record_history(q, j[3] or nil, "f", started_at, j[4])
history_flush()
to_failed(id, q, tonumber(ARGV[8]), nil, { type = "job.failed", level = "error", msg = "attempt " .. j[1] .. " " .. outcome .. ": " .. tostring(e.message),
  extra = { worker = worker, task = event_task, data = { attempt = tonumber(j[1]), error = e.name } } })
local canceled = fail_dependents(id, "failed")
trim_registry("failed", q, tonumber(ARGV[9]))
local paused, forwarded = schedule_outcome(id, j[3] or nil, j[5] or nil, outcome == "failed" and "failed" or outcome, j[2], error_line_of(err))
return cjson.encode({ outcome = "failed", job = redis.call("HGETALL", jk),
  attempts = redis.call("LRANGE", key("attempts", id), 0, -1), canceled = canceled, schedulePaused = paused, outcomeRecord = forwarded })
