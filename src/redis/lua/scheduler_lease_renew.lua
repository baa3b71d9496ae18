-- scheduler_lease_renew.lua: extend the scheduler leader lease, only if we still hold it.
-- KEYS[1] leader key (keys.schedulerLeader())
-- ARGV[1] our token, ARGV[2] lease ttl ms
-- Returns 1 renewed, 0 the lease is gone or held by another token (leadership lost).
if redis.call("GET", KEYS[1]) == ARGV[1] then
  redis.call("PEXPIRE", KEYS[1], ARGV[2])
  return 1
end
return 0
