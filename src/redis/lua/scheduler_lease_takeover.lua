-- scheduler_lease_takeover.lua: a follower takes the leader lease from a leader that stopped
-- firing, on evidence checked here, atomically: the slot is still unrecorded, the leader has
-- not ticked since the slot came due, and the lease was not granted within the grace (so two
-- followers that see the same hole do not take it from each other).
-- KEYS[1] leader key, KEYS[2] fence hash, KEYS[3] last-slots hash, KEYS[4] scheduler state hash
-- ARGV[1] our token, ARGV[2] lease ttl ms, ARGV[3] now ms, ARGV[4] task id, ARGV[5] slot ms,
-- ARGV[6] grace ms
-- Returns the new fence number (>= 1), or 0 when the evidence does not hold (nothing written).
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
local n = redis.call("HINCRBY", KEYS[2], "n", 1)
redis.call("HSET", KEYS[2], "at", ARGV[3], "token", ARGV[1])
redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2])
return n
