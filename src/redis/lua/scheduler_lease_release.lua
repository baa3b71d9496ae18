-- scheduler_lease_release.lua: give up the scheduler leader lease, only if we hold it.
-- KEYS[1] leader key (keys.schedulerLeader())
-- ARGV[1] our token
-- Returns 1 released, 0 not ours (expired, or another daemon leads now): nothing deleted.
if redis.call("GET", KEYS[1]) == ARGV[1] then
  redis.call("DEL", KEYS[1])
  return 1
end
return 0
