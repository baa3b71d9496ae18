-- scheduler_skip.lua: record that a task's slots up to `slot` were handled without an enqueue
-- (scheduler paused or disabled, or outside the catch-up window), with their ledger entry, in
-- one step: the slot record moves only forward, so no daemon fires or skips a slot twice. For a
-- task whose slot record is on the installation's tag (every task on the installation layout);
-- on the per-queue layout a skip is two calls: scheduler_skip_tag.lua on the queue's tag, then
-- scheduler_skip_entry.lua here.
-- The first skip of a run (not the merged repeats) also goes to the events stream as
-- job.skipped with its reason, so `scheduler logs` shows it once, not once per tick.
-- KEYS[1] last-slots hash (keys.lastSlots())
-- KEYS[2] ledger list (keys.ledger(task))
-- KEYS[3] events stream (keys.events())
-- KEYS[4] scheduler fence hash (see fence_lib)
-- KEYS[5] the task's counters hash (optional)
-- ARGV[1] task id
-- ARGV[2] slot ms
-- ARGV[3] ledger entry JSON
-- ARGV[4] max ledger entries
-- ARGV[5] event JSON (SchedulerEvent)
-- ARGV[6] events stream max length (approximate)
-- ARGV[7] the caller's leader lease number, or "" (not fenced)
-- Returns: 1 recorded, 0 the slot was already handled (nothing written), -1 the caller's lease
--   is stale (nothing written: a paused ex-leader must not mark the new leader's slots handled).
--@include scheduler_ledger_lib
--@include fence_lib
if ARGV[7] and ARGV[7] ~= "" and fence_stale(KEYS[4], ARGV[7]) then
  return -1
end
local last = tonumber(redis.call("HGET", KEYS[1], ARGV[1]))
if last and last >= tonumber(ARGV[2]) then
  return 0
end
redis.call("HSET", KEYS[1], ARGV[1], ARGV[2])
ledger_skip(KEYS[2], KEYS[3], KEYS[5], ARGV[3], ARGV[4], ARGV[5], ARGV[6])
return 1
