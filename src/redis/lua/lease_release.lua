-- lease_release.lua: give up a token lease, only if this token still holds it: a holder whose
-- lease lapsed must not delete one that someone else took since. A lock announces the release
-- on its channel, so its waiters wake at once.
-- KEYS[1] the lease key (keys.lock(name), keys.schedulerLeader())
-- ARGV[1] token of the holder releasing
-- ARGV[2] pub/sub channel waiters listen on (optional: keys.lockReleased(name))
-- Returns: 1 released, 0 not ours (expired, or taken by another token): nothing deleted.
if redis.call("GET", KEYS[1]) == ARGV[1] then
  redis.call("DEL", KEYS[1])
  if ARGV[2] then redis.call("PUBLISH", ARGV[2], ARGV[1]) end
  return 1
end
return 0
