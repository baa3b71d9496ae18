-- schedule_outcome_lib.lua: a scheduled job's final outcome kept with its schedule (complete.lua,
-- complete_many.lua, fail.lua, reap.lua).
-- Provides: schedule_outcome, error_line_of
-- A job that came from a schedule (its hash has task and scheduledFor) leaves its final outcome
-- with the schedule's ledger, in the same script that finishes or fails it, so `list` and `why`
-- can say how the last run ended after the job itself has expired (src/scheduler/outcome.ts).
-- Keys (all under the installation's hash tag, see src/redis/schedule-keys.ts):
--   schedule-outcome hash   task -> JSON { status, jobId, slot, startedAt, finishedAt, durationMs, error? }
--   schedule-stats:<task>   hash of counters; failStreak is the consecutive failed runs
--   schedule-limits hash    task -> pauseOnFailure N (written by the scheduler from hooks)
--   schedule-pause hash     task -> JSON { note, by, at, cause, jobId? } (a paused schedule)
--   schedule-deadline hash  task -> JSON { slot, at, deadlineMs } of the oldest missed deadline
--                           still open (closed by a later slot's run that finishes in time)
-- schedule_outcome(id, task, slot, status, started_at, error_line) -> the pause note when this
-- failure paused the schedule (pauseOnFailure), else nil. task/slot nil: not scheduled, no-op.
--@include job_lib
local function schedule_outcome(id, task, slot, status, started_at, error_line)
  if not task or not slot then return nil end
  local rec = { status = status, jobId = id, slot = tonumber(slot), finishedAt = NOW }
  local started = tonumber(started_at)
  if started then
    rec.startedAt = started
    rec.durationMs = NOW - started
  end
  if error_line then rec.error = error_line end
  redis.call("HSET", KEY_ROOT .. "schedule-outcome", task, cjson.encode(rec))
  local stats = KEY_ROOT .. "schedule-stats:" .. task
  if status == "finished" then
    redis.call("HSET", stats, "failStreak", 0, "lastSuccessSlot", slot, "lastSuccessAt", NOW)
    -- a later run that succeeds in time closes an open missed deadline (doctor stops reporting it)
    local open = redis.call("HGET", KEY_ROOT .. "schedule-deadline", task)
    if open then
      local o = cjson.decode(open)
      local in_time = not tonumber(o.deadlineMs) or NOW <= tonumber(slot) + tonumber(o.deadlineMs)
      if tonumber(o.slot) < tonumber(slot) and in_time then redis.call("HDEL", KEY_ROOT .. "schedule-deadline", task) end
    end
    return nil
  end
  local streak = redis.call("HINCRBY", stats, "failStreak", 1)
  redis.call("HINCRBY", stats, "failed", 1)
  local limit = tonumber(redis.call("HGET", KEY_ROOT .. "schedule-limits", task))
  if not limit or streak < limit then return nil end
  if redis.call("HEXISTS", KEY_ROOT .. "schedule-pause", task) == 1 then return nil end
  local note = "paused after " .. streak .. " consecutive failed runs; last failed job " .. id
  if error_line then note = note .. ": " .. error_line end
  redis.call("HSET", KEY_ROOT .. "schedule-pause", task,
    cjson.encode({ note = note, by = "pauseOnFailure", at = NOW, cause = "failures", jobId = id }))
  emit("schedule.paused", "warn", task .. " " .. note, id, nil, { task = task, data = { cause = "failures", failStreak = streak } })
  return note
end

-- the first line of an error JSON's message, for the outcome record
local function error_line_of(err)
  local ok, e = pcall(cjson.decode, err or "")
  if not ok or type(e) ~= "table" then return nil end
  local msg = tostring(e.message or e.name or "error")
  local first = string.match(msg, "^[^\n]*") or msg
  if e.name and e.name ~= "Error" then first = tostring(e.name) .. ": " .. first end
  return string.sub(first, 1, 300)
end
