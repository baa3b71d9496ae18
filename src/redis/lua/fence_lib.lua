-- fence_lib.lua: the scheduler leader lease's fencing check (enqueue.lua, scheduler_skip.lua,
-- lease scripts).
-- Provides: fence_stale
-- The fence hash (keys.schedulerFence()) holds n, the number of the latest leader lease ever
-- granted (raised by every acquire and takeover). A daemon records slots with the n its lease
-- got: when n has moved on, another daemon leads and this one's lease is stale (it was paused,
-- or Redis froze past the lease), so its write is refused instead of racing the new leader.
-- fence_stale(fence_key, n) -> true when n is not the current lease number.
local function fence_stale(fence_key, n)
  local current = tonumber(redis.call("HGET", fence_key, "n")) or 0
  return current ~= tonumber(n)
end
