-- ratelimit_acquire.lua: sliding-window log limiter, "at most ARGV[3] starts in any ARGV[2] ms".
-- One sorted set per queue: member = one granted slot, score = when it was granted.
-- Callers' clocks do not arrive in order: several processes read `now`, then their calls reach
-- Redis in any order, so a call may carry a `now` a little behind one already recorded. Slots are
-- therefore kept for two windows and counted from `now - window` on (a later slot counts too,
-- which errs on the safe side): trimming at `now - window` of the latest caller would drop slots
-- still inside a lagging caller's window and grant it one too many.
-- KEYS[1] the limiter's sorted set (keys.rateLimit(queue))
-- ARGV[1] now, ms since epoch (the caller's clock; scripts never read the server clock)
-- ARGV[2] window, ms
-- ARGV[3] max slots per window
-- ARGV[4] member: unique id of this slot (so two grants in the same ms both count)
-- Returns: {1, 0} when a slot was granted, {0, retryInMs} when the window is full
--   (retryInMs >= 1: when the oldest slot leaves it).
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local max = tonumber(ARGV[3])
redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", now - 2 * window)
local used = redis.call("ZCOUNT", KEYS[1], "(" .. (now - window), "+inf")
if used < max then
  redis.call("ZADD", KEYS[1], now, ARGV[4])
  -- The TTL runs on the server's clock, the scores on the callers': two windows, as above.
  redis.call("PEXPIRE", KEYS[1], 2 * window)
  return {1, 0}
end
local oldest = redis.call("ZRANGEBYSCORE", KEYS[1], "(" .. (now - window), "+inf", "WITHSCORES", "LIMIT", 0, 1)
local retry = tonumber(oldest[2]) + window - now
if retry < 1 then retry = 1 end
return {0, retry}
