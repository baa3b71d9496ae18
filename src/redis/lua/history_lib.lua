-- history_lib.lua: the per-minute history behind the console's charts (src/http/metrics/history.ts
-- reads it), written by the job scripts that end attempts, so it costs no round trip of its own.
-- Pasted in by `--@include history_lib` after job_lib; never run alone.
--
-- One hash per queue per minute, {p}:history:<minute ms>:<queue>, and one per scheduled task
-- per minute, {p}:task-history:<minute ms>:<task id>. Fields (absent = 0):
--   e     attempts recorded (the first one sets the hash's expiry: 7 days after its minute)
--   c, f  jobs completed / failed for good
--   r<i>  attempts whose run time fell in bucket i (1-based, non-cumulative, last = +Inf)
--   w<i>  the same for wait time (enqueued or promoted -> started)
--   rs,ws run / wait time sums, ms
-- The bucket bounds are DURATION_BUCKETS_SECONDS (src/http/metrics/buckets.ts) in ms: fixed, so
-- minutes and queues can be summed field by field. The env header's 7th field "0" turns it off.

local HISTORY_BOUNDS_MS = { 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 120000, 300000, 600000, 1800000, 3600000 }
local HISTORY_TTL_MS = 7 * 24 * 3600 * 1000

local function history_bucket(ms)
  for i = 1, #HISTORY_BOUNDS_MS do
    if ms <= HISTORY_BOUNDS_MS[i] then return i end
  end
  return #HISTORY_BOUNDS_MS + 1
end

local function history_write(k, minute, count_field, run_ms, wait_ms)
  if redis.call("HINCRBY", k, "e", 1) == 1 then
    -- relative: the server's clock may differ from the callers' (scripts never read it)
    redis.call("PEXPIRE", k, minute + 60000 + HISTORY_TTL_MS - NOW)
  end
  if count_field then redis.call("HINCRBY", k, count_field, 1) end
  if run_ms then
    redis.call("HINCRBY", k, "r" .. history_bucket(run_ms), 1)
    redis.call("HINCRBY", k, "rs", run_ms)
  end
  if wait_ms then
    redis.call("HINCRBY", k, "w" .. history_bucket(wait_ms), 1)
    redis.call("HINCRBY", k, "ws", wait_ms)
  end
end

-- One ended attempt of a job of queue q (task: its scheduled task id, or nil). count_field:
-- "c" (completed), "f" (failed for good) or nil (a retry: only its times count). started_at,
-- enqueued_at: the job hash's fields as read by the caller (nil: the time is not recorded).
local function record_history(q, task, count_field, started_at, enqueued_at)
  if not HISTORY_ON then return end
  local minute = NOW - NOW % 60000
  local s, e = tonumber(started_at), tonumber(enqueued_at)
  local run_ms = s and math.max(0, math.floor(NOW - s)) or nil
  local wait_ms = (s and e) and math.max(0, math.floor(s - e)) or nil
  history_write(key("history", minute .. ":" .. q), minute, count_field, run_ms, wait_ms)
  if task then history_write(key("task-history", minute .. ":" .. task), minute, count_field, run_ms, wait_ms) end
end
