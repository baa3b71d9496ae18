-- purge.lua: delete one batch of jobs for `scheduler purge` (Frappe's purge-jobs). Each id is
-- re-checked here, so a job that moved on since the caller listed it (dequeued, finished,
-- requeued) is left alone.
-- KEYS[1] queues set, KEYS[2] events stream (see job_lib)
-- ARGV[1] env header JSON, ARGV[2] now ms,
-- ARGV[3] queue name, ARGV[4] status the jobs must still have: queued, scheduled, finished,
--   failed or canceled (never started: a running job is not deleted under its worker),
-- ARGV[5] dotted task path the job's method or scheduled task must equal ("" = any task),
-- ARGV[6..] job ids
-- Returns the number of jobs deleted (hash, attempt list, children list, registry/queue entry).
--@include job_lib

local q, want, task = ARGV[3], ARGV[4], ARGV[5]
if want == "started" then return redis.error_reply("purge: started jobs are never purged") end
local n = 0
for i = 6, #ARGV do
  local id = ARGV[i]
  local j = redis.call("HMGET", key("job", id), "status", "queue", "method", "task")
  if j[1] == want and j[2] == q and (task == "" or j[3] == task or j[4] == task) then
    if want == "queued" then
      redis.call("LREM", key("queue", q), 0, id)
    else
      redis.call("ZREM", key(want, q), id)
    end
    redis.call("DEL", key("job", id), key("attempts", id))
    -- the children list exists once the header names its prefix (job links)
    if P.children then redis.call("DEL", key("children", id)) end
    n = n + 1
  end
end
if n > 0 then
  if want == "queued" then trim_wake(q) end
  local what = task ~= "" and (" of " .. task) or ""
  emit("jobs.purged", "warn", "purged " .. n .. " " .. want .. " jobs" .. what, nil, q, { task = task ~= "" and task or nil })
end
return n
