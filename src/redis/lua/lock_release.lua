-- lock_release: delete the lock only if this holder still owns it, and wake the waiters.
-- A holder whose lease lapsed must not delete a lock that someone else took since.
--
-- KEYS[1]  the lock key (keys.lock(name))
-- ARGV[1]  token of the holder releasing
-- ARGV[2]  pub/sub channel waiters listen on (keys.lockReleased(name))
--
-- Returns 1 when released, 0 when the lock was no longer ours (expired or taken by another).
if redis.call("GET", KEYS[1]) == ARGV[1] then
  redis.call("DEL", KEYS[1])
  redis.call("PUBLISH", ARGV[2], ARGV[1])
  return 1
end
return 0
