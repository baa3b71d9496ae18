-- history_lib.lua: the per-minute history behind the console's charts (src/http/metrics/history.ts
-- reads it), written by the job scripts that end attempts, so it costs no round trip of its own.
-- Provides: record_history, history_flush
--
-- One hash per queue per minute, {p}:history:<minute ms>:<queue>, and one per scheduled task
-- per minute, {p}:task-history:<minute ms>:<task id>. Fields (absent = 0):
--   c, f  jobs completed / failed for good
--   r<i>  attempts whose run time fell in bucket i (1-based, non-cumulative, last = +Inf)
--   w<i>  the same for wait time (enqueued or promoted -> started)
--   rs,ws run / wait time sums, ms
-- The bucket bounds are DURATION_BUCKETS_SECONDS (src/telemetry/duration-buckets.ts) in ms: fixed, so
-- minutes and queues can be summed field by field. The env header's 7th field "0" turns it off.
--@include job_lib

local HISTORY_BOUNDS_MS = { 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 120000, 300000, 600000, 1800000, 3600000 }
local HISTORY_TTL_MS = 7 * 24 * 3600 * 1000

local function history_bucket(ms)
  for i = 1, #HISTORY_BOUNDS_MS do
    if ms <= HISTORY_BOUNDS_MS[i] then return i end
  end
  return #HISTORY_BOUNDS_MS + 1
end

-- increments gathered during one script call: key -> { field -> n }, written by history_flush()
-- (a batch of completions of one minute writes each field once, not once per job)
local HISTORY_PENDING = {}
local HISTORY_KEYS = {}

local function history_add(k, field, n)
  local h = HISTORY_PENDING[k]
  if not h then
    h = {}
    HISTORY_PENDING[k] = h
    HISTORY_KEYS[#HISTORY_KEYS + 1] = k
  end
  h[field] = (h[field] or 0) + n
end

local function history_note(k, count_field, run_ms, wait_ms)
  if count_field then history_add(k, count_field, 1) end
  if run_ms then
    history_add(k, "r" .. history_bucket(run_ms), 1)
    history_add(k, "rs", run_ms)
  end
  if wait_ms then
    history_add(k, "w" .. history_bucket(wait_ms), 1)
    history_add(k, "ws", wait_ms)
  end
end

-- One ended attempt of a job of queue q (task: its scheduled task id, or nil). count_field:
-- "c" (completed), "f" (failed for good) or nil (a retry: only its times count). started_at,
-- enqueued_at: the job hash's fields as read by the caller (nil: the time is not recorded).
-- Gathered; the script calls history_flush() before it returns.
local function record_history(q, task, count_field, started_at, enqueued_at)
  if not HISTORY_ON then return end
  local minute = NOW - NOW % 60000
  local s, e = tonumber(started_at), tonumber(enqueued_at)
  local run_ms = s and math.max(0, math.floor(NOW - s)) or nil
  local wait_ms = (s and e) and math.max(0, math.floor(s - e)) or nil
  history_note(key("history", minute .. ":" .. q), count_field, run_ms, wait_ms)
  if task then history_note(key("task-history", minute .. ":" .. task), count_field, run_ms, wait_ms) end
end

-- Write what record_history gathered: one HINCRBY per field and hash. A field that did not exist
-- before (HINCRBY answers the increment itself) may be the hash's first write, which sets its
-- expiry, 7 days after its minute: so the expiry is set whenever the hash is new, and again on
-- the few later calls that add a field to it (the same expiry again: harmless), without a
-- counter of its own to increment per attempt. An increment of 0 (a sum of 0 ms) cannot tell;
-- every note has a count or a bucket field, whose increment is 1 or more.
local function history_flush()
  for _, k in ipairs(HISTORY_KEYS) do
    local fresh = false
    for field, n in pairs(HISTORY_PENDING[k]) do
      if redis.call("HINCRBY", k, field, n) == n and n ~= 0 then fresh = true end
    end
    if fresh then
      -- every key of one call is of NOW's minute; the TTL is relative, since the server's clock
      -- may differ from the callers' (scripts never read it)
      redis.call("PEXPIRE", k, (NOW - NOW % 60000) + 60000 + HISTORY_TTL_MS - NOW)
    end
  end
  HISTORY_PENDING = {}
  HISTORY_KEYS = {}
end
