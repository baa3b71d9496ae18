-- scheduler_lease_acquire.lua: take the scheduler leader lease when nobody holds it, with a new
-- fence number (see fence_lib.lua); renew it when we already hold it.
-- KEYS[1] leader key (keys.schedulerLeader()), KEYS[2] fence hash (keys.schedulerFence())
-- ARGV[1] our token, ARGV[2] lease ttl ms, ARGV[3] now ms (kept as the grant time)
-- Returns the fence number of our lease (>= 1), or 0 when another token holds it.
local holder = redis.call("GET", KEYS[1])
if holder == ARGV[1] then
  redis.call("PEXPIRE", KEYS[1], ARGV[2])
  return tonumber(redis.call("HGET", KEYS[2], "n")) or 0
end
if holder then
  return 0
end
local n = redis.call("HINCRBY", KEYS[2], "n", 1)
redis.call("HSET", KEYS[2], "at", ARGV[3], "token", ARGV[1])
redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2])
return n
