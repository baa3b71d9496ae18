-- purge.lua: delete one batch of jobs for `scheduler purge` (Frappe's purge-jobs). Each id is
-- re-checked here, so a job that moved on since the caller listed it (dequeued, finished,
-- requeued) is left alone.
-- KEYS[1] queues set, KEYS[2] events stream (see job_lib)
-- ARGV[1] env header JSON, ARGV[2] now ms,
-- ARGV[3] queue name, ARGV[4] status the jobs must still have: queued, scheduled, deferred,
--   finished, failed or canceled (never started: a running job is not deleted under its worker),
-- ARGV[5] dotted task path the job's method or scheduled task must equal ("" = any task),
-- ARGV[6..] job ids
-- Returns the number of jobs deleted (hash, attempt list, children list, registry/queue entry).
-- Jobs that depend on a deleted one are canceled ("dependency <id> was deleted") unless they
--   allow failure, as empty_queue does (see deps_lib).
--@include job_lib
--@include deps_lib

local q, want, task = ARGV[3], ARGV[4], ARGV[5]
if want == "started" then return redis.error_reply("purge: started jobs are never purged") end
local deleted = {}
for i = 6, #ARGV do
  local id = ARGV[i]
  local j = redis.call("HMGET", key("job", id), "status", "queue", "method", "task")
  if j[1] == want and j[2] == q and (task == "" or j[3] == task or j[4] == task) then
    if want == "queued" then
      redis.call("LREM", key("queue", q), 0, id)
    else
      redis.call("ZREM", key(want, q), id)
    end
    -- a deferred job sits in the dependents sets of what it waits for
    if want == "deferred" then unlink(id) end
    redis.call("DEL", key("job", id), key("attempts", id), key("children", id))
    deleted[#deleted + 1] = id
  end
end
if want == "queued" and #deleted > 0 then trim_wake(q) end
-- after the deletions: a dependent that allows failure may be pushed onto this very queue
for _, id in ipairs(deleted) do fail_dependents(id, "was deleted") end
if #deleted > 0 then
  local what = task ~= "" and (" of " .. task) or ""
  emit("jobs.purged", "warn", "purged " .. #deleted .. " " .. want .. " jobs" .. what, nil, q, { task = task ~= "" and task or nil })
end
return #deleted
