-- scheduler_ledger_lib.lua: a task's fire ledger (scheduler_ledger.lua, scheduler_skip.lua,
-- scheduler_skip_entry.lua).
-- Provides: ledger_add, ledger_count, ledger_skip
-- ledger_add(key, entry_json, max) -> 1 pushed, 2 merged into the newest entry, 0 dropped.
local function ledger_add(key, entry_json, max)
  local entry = cjson.decode(entry_json)
  local head_json = redis.call("LINDEX", key, 0)
  -- a backfilled slot is older than the head by nature: always its own entry
  if head_json and not entry.backfill then
    local head = cjson.decode(head_json)
    if head.outcome == entry.outcome and head.reason == entry.reason then
      if tonumber(entry.slot) <= tonumber(head.slot) then
        return 0
      end
      if entry.outcome ~= "enqueued" then
        head.count = (tonumber(head.count) or 1) + (tonumber(entry.count) or 1)
        head.firstSlot = head.firstSlot or head.slot
        head.slot = entry.slot
        head.lastAt = entry.at
        head.catchup = entry.catchup
        if entry.runningJobId then head.runningJobId = entry.runningJobId end
        redis.call("LSET", key, 0, cjson.encode(head))
        return 2
      end
    end
  end
  redis.call("LPUSH", key, entry_json)
  redis.call("LTRIM", key, 0, max - 1)
  return 1
end

-- ledger_count(stats_key, entry_json): the schedule's counters (src/scheduler/counters.ts) for a
-- recorded miss or skip. Enqueues and overlap skips are counted by the enqueue guard
-- (schedule_guard_lib.lua); slot-taken is another daemon's fire, not this schedule's story.
local function ledger_count(stats_key, entry_json)
  if not stats_key or stats_key == "" then return end
  local entry = cjson.decode(entry_json)
  local n = tonumber(entry.count) or 1
  if entry.outcome == "missed" then
    redis.call("HINCRBY", stats_key, "missed", n)
  elseif entry.outcome == "skipped" and entry.reason and entry.reason ~= "overlap" and entry.reason ~= "slot-taken" then
    redis.call("HINCRBY", stats_key, "skipped:" .. entry.reason, n)
  end
end

-- ledger_skip(ledger_key, events_key, stats_key, entry_json, max, event_json, events_max): the
-- ledger entry and counters of a recorded skip; the first of a run (not a merged repeat) also
-- goes to the events stream as job.skipped, so `scheduler logs` shows it once, not once per tick.
local function ledger_skip(ledger_key, events_key, stats_key, entry_json, max, event_json, events_max)
  local added = ledger_add(ledger_key, entry_json, tonumber(max))
  if added ~= 0 then ledger_count(stats_key, entry_json) end
  if added == 1 then
    redis.call("XADD", events_key, "MAXLEN", "~", events_max, "*", "e", event_json)
  end
  return added
end
