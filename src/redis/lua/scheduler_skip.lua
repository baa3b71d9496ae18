-- scheduler_skip.lua: record that a task's slots up to `slot` were handled without an enqueue
-- (scheduler paused or disabled, or outside the catch-up window), with their ledger entry, in
-- one step: the slot record moves only forward, so no daemon fires or skips a slot twice.
-- KEYS[1] last-slots hash (keys.lastSlots()), KEYS[2] ledger list (keys.ledger(task))
-- ARGV[1] task id, ARGV[2] slot ms, ARGV[3] ledger entry JSON, ARGV[4] max ledger entries
-- Returns 1 recorded, 0 the slot was already handled (nothing written).
--@include scheduler_ledger_lib
local last = tonumber(redis.call("HGET", KEYS[1], ARGV[1]))
if last and last >= tonumber(ARGV[2]) then
  return 0
end
redis.call("HSET", KEYS[1], ARGV[1], ARGV[2])
ledger_add(KEYS[2], ARGV[3], tonumber(ARGV[4]))
return 1
