-- fence_lib.lua: the scheduler leader lease's fencing check (enqueue.lua, scheduler_skip.lua,
-- scheduler_skip_tag.lua, scheduler_fence_raise.lua, lease scripts).
-- Provides: fence_stale, fence_raise
-- The fence hash (keys.schedulerFence()) holds n, the number of the latest leader lease ever
-- granted (raised by every acquire and takeover). A daemon records slots with the n its lease
-- got: when n has moved on, another daemon leads and this one's lease is stale (it was paused,
-- or Redis froze past the lease), so its write is refused instead of racing the new leader.
-- fence_stale(fence_key, n) -> true when n is not the current lease number.
local function fence_stale(fence_key, n)
  local current = tonumber(redis.call("HGET", fence_key, "n")) or 0
  return current ~= tonumber(n)
end

-- A queue's tag (keys.schedulerFence(tag), the per-queue layout) cannot see the lease: its fence
-- hash keeps the highest lease number any write of that tag carried, or the new leader wrote
-- there on taking the lead (scheduler_fence_raise.lua). A lower number is a stale leader's.
-- fence_raise(fence_key, n) -> true when n is below the tag's number (nothing written); else
-- the tag's number is raised to n and false is answered.
local function fence_raise(fence_key, n)
  n = tonumber(n)
  local current = tonumber(redis.call("HGET", fence_key, "n")) or 0
  if n < current then return true end
  if n > current then redis.call("HSET", fence_key, "n", n) end
  return false
end
