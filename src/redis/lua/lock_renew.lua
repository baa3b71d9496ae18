-- lock_renew: extend the lease only if this holder still owns the lock (compare-and-pexpire).
--
-- KEYS[1]  the lock key (keys.lock(name))
-- ARGV[1]  token of the holder
-- ARGV[2]  new ttl in ms, counted from now
--
-- Returns 1 when extended, 0 when the lock is no longer ours (the holder must stop).
if redis.call("GET", KEYS[1]) == ARGV[1] then
  redis.call("PEXPIRE", KEYS[1], ARGV[2])
  return 1
end
return 0
