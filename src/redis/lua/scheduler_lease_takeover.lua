-- scheduler_lease_takeover.lua: a follower takes the leader lease from a leader that stopped
-- firing, on evidence checked here, atomically: the slot is still unrecorded, the leader has
-- not ticked since the slot came due, and the lease was not granted within the grace (so two
-- followers that see the same hole do not take it from each other). On the per-queue layout
-- the task's slot record is also on its queue's tag, which this script cannot read: the caller
-- reads it just before (src/scheduler/leader.ts takeOver).
-- KEYS[1] leader key (keys.schedulerLeader())
-- KEYS[2] fence hash (keys.schedulerFence())
-- KEYS[3] last-slots hash (keys.lastSlots())
-- KEYS[4] scheduler state hash (keys.schedulerState())
-- ARGV[1] our token
-- ARGV[2] lease ttl ms
-- ARGV[3] now ms
-- ARGV[4] task id
-- ARGV[5] slot ms
-- ARGV[6] grace ms
-- ARGV[7] fence floor (optional: the per-queue layout; see lease_lib.lua grant_fenced)
-- Returns: the new fence number (>= 1), or 0 when the evidence does not hold (nothing written).
--@include lease_lib
local slot = tonumber(ARGV[5])
local recorded = tonumber(redis.call("HGET", KEYS[3], ARGV[4]))
if recorded and recorded >= slot then
  return 0
end
local ticked = tonumber(redis.call("HGET", KEYS[4], "lastTick"))
if ticked and ticked >= slot then
  return 0
end
local granted = tonumber(redis.call("HGET", KEYS[2], "at"))
if granted and tonumber(ARGV[3]) - granted < tonumber(ARGV[6]) and redis.call("EXISTS", KEYS[1]) == 1 then
  return 0
end
return grant_fenced(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], ARGV[7])
