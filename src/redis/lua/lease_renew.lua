-- lease_renew.lua: extend a token lease (a patterns lock, the scheduler leader lease), only if
-- this token still holds it (compare-and-pexpire).
-- KEYS[1] the lease key (keys.lock(name), keys.schedulerLeader())
-- ARGV[1] token of the holder
-- ARGV[2] new ttl in ms, counted from now
-- Returns: 1 renewed, 0 the lease is gone or held by another token (the holder must stop).
if redis.call("GET", KEYS[1]) == ARGV[1] then
  redis.call("PEXPIRE", KEYS[1], ARGV[2])
  return 1
end
return 0
