-- schedule_outcome_lib.lua: a scheduled job's final outcome kept with its schedule (complete.lua,
-- complete_many.lua, fail.lua, reap.lua).
-- Provides: schedule_outcome, apply_outcome, error_line_of
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
-- failure paused the schedule (pauseOnFailure), else nil; and, when written as a forward record
-- (below), { field, body } of it. task/slot nil: not scheduled, no-op.
-- On a queue's own tag (HOME_ROOT set: the schedule keys are on the installation's tag, which
-- this script cannot touch) the outcome is written as a forward record instead, "outcome\t<id>"
-- { kind = "outcome", task, outcome = rec, at }, applied on the installation's tag by
-- schedule_outcome_apply.lua (apply_outcome, counted once: see there); the pause note is then
-- the apply's answer, not this script's.
--@include forward_lib

-- the outcome `rec` (the record the schedule-outcome hash keeps) applied to `task`'s schedule
-- keys of this tag. `forwarded`: a forward record applied late, maybe after a newer outcome of
-- the same task: only a newer one becomes the last outcome, the streak is reset only by a newer
-- success, and lastSuccessSlot only rises (in place every outcome is the newest).
local function apply_outcome(task, rec, forwarded)
  local at, slot, id = rec.finishedAt, rec.slot, rec.jobId
  local newest = true
  if forwarded then
    local stored = redis.call("HGET", KEY_ROOT .. "schedule-outcome", task)
    local s = stored and cjson.decode(stored)
    newest = not s or at > (tonumber(s.finishedAt) or 0) or (at == tonumber(s.finishedAt) and tostring(id) > tostring(s.jobId))
  end
  if newest then redis.call("HSET", KEY_ROOT .. "schedule-outcome", task, cjson.encode(rec)) end
  local stats = KEY_ROOT .. "schedule-stats:" .. task
  if rec.status == "finished" then
    if not forwarded then
      redis.call("HSET", stats, "failStreak", 0, "lastSuccessSlot", slot, "lastSuccessAt", at)
    else
      if newest then redis.call("HSET", stats, "failStreak", 0) end
      local last = tonumber(redis.call("HGET", stats, "lastSuccessSlot"))
      if not last or slot > last then redis.call("HSET", stats, "lastSuccessSlot", slot, "lastSuccessAt", at) end
    end
    -- a later run that succeeds in time closes an open missed deadline (doctor stops reporting it)
    local open = redis.call("HGET", KEY_ROOT .. "schedule-deadline", task)
    if open then
      local o = cjson.decode(open)
      local in_time = not tonumber(o.deadlineMs) or at <= slot + tonumber(o.deadlineMs)
      if tonumber(o.slot) < slot and in_time then redis.call("HDEL", KEY_ROOT .. "schedule-deadline", task) end
    end
    return nil
  end
  local streak = redis.call("HINCRBY", stats, "failStreak", 1)
  redis.call("HINCRBY", stats, "failed", 1)
  local limit = tonumber(redis.call("HGET", KEY_ROOT .. "schedule-limits", task))
  if not limit or streak < limit then return nil end
  if redis.call("HEXISTS", KEY_ROOT .. "schedule-pause", task) == 1 then return nil end
  local note = "paused after " .. streak .. " consecutive failed runs; last failed job " .. id
  if rec.error then note = note .. ": " .. rec.error end
  redis.call("HSET", KEY_ROOT .. "schedule-pause", task,
    cjson.encode({ note = note, by = "pauseOnFailure", at = at, cause = "failures", jobId = id }))
  emit("schedule.paused", "warn", task .. " " .. note, id, nil, { task = task, data = { cause = "failures", failStreak = streak } })
  return note
end

local function schedule_outcome(id, task, slot, status, started_at, error_line)
  if not task or not slot then return nil end
  local rec = { status = status, jobId = id, slot = tonumber(slot), finishedAt = NOW }
  local started = tonumber(started_at)
  if started then
    rec.startedAt = started
    rec.durationMs = NOW - started
  end
  if error_line then rec.error = error_line end
  if HOME_ROOT then
    local field = "outcome\t" .. id
    return nil, { field, forward_write(field, { kind = "outcome", task = task, outcome = rec }) }
  end
  return apply_outcome(task, rec, false)
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
