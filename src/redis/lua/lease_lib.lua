-- lease_lib.lua: granting a token lease with a fence number (the scheduler leader lease:
-- lease_acquire.lua with a fence hash, scheduler_lease_takeover.lua).
-- Provides: grant_fenced
-- The fence hash holds n, the number of the latest lease ever granted on the key, at (the grant
-- time) and token (see fence_lib.lua for the check writers make with it).

-- grant_fenced(lease_key, fence_key, token, ttl_ms, now_ms, floor) -> the new fence number (>= 1)
-- floor (optional): the highest number the queues' tags hold (the per-queue layout, read by the
-- caller before the grant, src/scheduler/tag-fences.ts). A failover of this tag's master can
-- lose the latest grants while a queue tag kept their number; the new number is then raised
-- above it, or the new leader would be refused on that tag (fence_raise) until the counter
-- passed it by itself.
local function grant_fenced(lease_key, fence_key, token, ttl_ms, now_ms, floor)
  local n = redis.call("HINCRBY", fence_key, "n", 1)
  floor = tonumber(floor)
  if floor and n <= floor then
    n = floor + 1
    redis.call("HSET", fence_key, "n", n)
  end
  redis.call("HSET", fence_key, "at", now_ms, "token", token)
  redis.call("SET", lease_key, token, "PX", ttl_ms)
  return n
end
