-- complete_lib.lua: finish_job(), shared by complete.lua (one job, with its follow-ups) and
-- complete_many.lua (a worker's completions of one moment, batched).
-- Provides: finish_job
--@include deps_lib
--@include history_lib
--@include schedule_outcome_lib

-- Finish started job `id` for `worker`: status finished, result (JSON, "" = none), retention
-- registry and TTL, the job.finished event, dependents released. Returns the job's queue, or nil
-- when the caller does not own the job (nothing written). The caller trims the finished registry.
local function finish_job(id, worker, result, ttl)
  local jk = key("job", id)
  -- one read for the lease check and everything the completion needs; the started-registry
  -- check is the ZREM itself: 0 removed = not ours, nothing written
  local j = redis.call("HMGET", jk, "status", "worker", "queue", "attempt", "startedAt", "task", "childCount", "hasDependents", "enqueuedAt", "scheduledFor", "method")
  if j[1] ~= "started" or j[2] ~= worker then return nil end
  local q = j[3]
  if redis.call("ZREM", key("started", q), id) == 0 then return nil end

  local started_at, attempt = tonumber(j[5]), tonumber(j[4])
  -- a first attempt that succeeds has no history to add to: the hash's attempt, worker,
  -- startedAt and endedAt are its record (getJobAttempts reads them so), one list fewer per job
  local first = attempt == 1
  if not first then
    record_attempt(id, { attempt = attempt, worker = worker, startedAt = started_at, endedAt = NOW, outcome = "finished" })
  end
  to_finished(id, q, result, ttl, j[7] ~= false, not first, worker, j[6] or j[11] or nil, started_at)
  record_history(q, j[6] or nil, "c", j[5], j[9])
  -- only jobs named in some dependsOn carry the flag (enqueue_lib write_spec sets it)
  if j[8] then release_dependents(id) end
  if j[10] then schedule_outcome(id, j[6], j[10], "finished", started_at) end
  return q
end
