-- schedule_guard_lib.lua: the scheduler guard of enqueue.lua (one enqueue per task slot, the
-- overlap policy while the last job is live).
-- Provides: schedule_guard, chain_after, schedule_record
-- guard JSON { task, slot, overlap?, sibling?, mode?, catchup? }:
--   overlap  "skip" (default) | "bufferOne" | "bufferAll" | "cancelOther" | "allow"
--   sibling  the job enqueued for the previous slot of the same batch (one catch-up gap or one
--            backfill): the batch obeys the policy as one, so its slots never overlap each other
--   mode     "backfill": a slot out of order; it is checked against the runs set instead of the
--            last-slot record (which it moves forward only when it is newer)
-- Keys built from KEY_ROOT (see src/redis/schedule-keys.ts): schedule-stats:<task> counters,
-- schedule-runs:<task> sorted set of the slots enqueued (score = slot, the newest RUNS_KEPT).
--@include job_lib
local RUNS_KEPT = 10000

-- schedule_guard(guard, last_slots, last_jobs) -> refusal table (return it as is) or nil, dep:
-- dep = the live job the new one must wait for (buffer policies)
local function schedule_guard(guard, last_slots, last_jobs)
  local task, slot = guard.task, tonumber(guard.slot)
  local stats = KEY_ROOT .. "schedule-stats:" .. task
  local last_slot = tonumber(redis.call("HGET", last_slots, task))
  if guard.mode == "backfill" then
    if redis.call("ZSCORE", KEY_ROOT .. "schedule-runs:" .. task, slot) then return { ok = false, guard = "slot-taken" } end
  elseif last_slot and last_slot >= slot then
    return { ok = false, guard = "slot-taken" }
  end
  local policy = guard.overlap or "skip"
  local last_id = redis.call("HGET", last_jobs, task)
  if not last_id or policy == "allow" or policy == "cancelOther" then return nil end
  local st = redis.call("HGET", key("job", last_id), "status")
  if not (st and LIVE[st]) then return nil end
  if last_id == guard.sibling then
    -- the same batch: skip and allow let it run alongside, the buffers keep it in line
    if policy == "bufferOne" or policy == "bufferAll" then return nil, last_id end
    return nil
  end
  if policy == "bufferAll" or (policy == "bufferOne" and st == "started") then return nil, last_id end
  -- skip, or bufferOne with a run already waiting: the slot is handled without a job
  if guard.mode ~= "backfill" then redis.call("HSET", last_slots, task, slot) end
  redis.call("HINCRBY", stats, "skipped:overlap", 1)
  emit("job.skipped", "warn", "skipped slot: previous job " .. last_id .. " is " .. st, last_id, nil,
    { task = task, data = { slot = slot, reason = "overlap" } })
  return { ok = false, guard = "overlap", running = last_id }
end

-- make spec wait for dep (it runs when dep ends, however it ends)
local function chain_after(spec, dep)
  spec.dependsOn = { dep }
  spec.allowFailure = true
  spec.fields.dependsOn = cjson.encode({ dep })
  spec.fields.allowFailure = "1"
end

-- after the job is written: the slot record, the last job, the runs set and the counters
local function schedule_record(guard, id, last_slots, last_jobs)
  local task, slot = guard.task, tonumber(guard.slot)
  local last_slot = tonumber(redis.call("HGET", last_slots, task))
  if not last_slot or last_slot < slot then redis.call("HSET", last_slots, task, slot) end
  redis.call("HSET", last_jobs, task, id)
  local runs = KEY_ROOT .. "schedule-runs:" .. task
  redis.call("ZADD", runs, slot, slot)
  if redis.call("ZCARD", runs) > RUNS_KEPT then redis.call("ZREMRANGEBYRANK", runs, 0, 0) end
  local stats = KEY_ROOT .. "schedule-stats:" .. task
  redis.call("HINCRBY", stats, "fired", 1)
  if guard.mode == "backfill" then
    redis.call("HINCRBY", stats, "backfilled", 1)
  else
    if guard.catchup then redis.call("HINCRBY", stats, "caughtUp", 1) end
    redis.call("HSET", stats, "lastLatenessMs", NOW - slot)
  end
end
