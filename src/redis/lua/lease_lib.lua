-- lease_lib.lua: granting a token lease with a fence number (the scheduler leader lease:
-- lease_acquire.lua with a fence hash, scheduler_lease_takeover.lua).
-- Provides: grant_fenced
-- The fence hash holds n, the number of the latest lease ever granted on the key, at (the grant
-- time) and token (see fence_lib.lua for the check writers make with it).

-- grant_fenced(lease_key, fence_key, token, ttl_ms, now_ms) -> the new fence number (>= 1)
local function grant_fenced(lease_key, fence_key, token, ttl_ms, now_ms)
  local n = redis.call("HINCRBY", fence_key, "n", 1)
  redis.call("HSET", fence_key, "at", now_ms, "token", token)
  redis.call("SET", lease_key, token, "PX", ttl_ms)
  return n
end
