-- scheduler_skip_tag.lua: a skip's decision on the per-queue layout, on the task's queue's tag,
-- where the enqueue guard records the task's slots (schedule_guard_lib.lua): mark its slots up
-- to `slot` handled without an enqueue, so the guard's enqueue and the skip of one slot see one
-- record and the second of them is refused (the record moves only forward). Fenced like the
-- guard's enqueue on that tag (fence_raise: a number below the tag's is a stale leader's). The
-- skip's ledger entry, counters and event follow on the installation's tag, in a second call,
-- only when this one answers 1 (scheduler_skip_entry.lua; src/scheduler/skips.ts).
-- KEYS[1] the tag's last-slots hash (keys.lastSlots(tag))
-- KEYS[2] the tag's fence hash (keys.schedulerFence(tag))
-- ARGV[1] task id
-- ARGV[2] slot ms
-- ARGV[3] the caller's leader lease number, or "" (not fenced)
-- Returns: 1 recorded, 0 the slot was already handled (nothing written), -1 the caller's lease
--   is stale (nothing written).
--@include fence_lib
if ARGV[3] ~= "" and fence_raise(KEYS[2], ARGV[3]) then
  return -1
end
local last = tonumber(redis.call("HGET", KEYS[1], ARGV[1]))
if last and last >= tonumber(ARGV[2]) then
  return 0
end
redis.call("HSET", KEYS[1], ARGV[1], ARGV[2])
return 1
