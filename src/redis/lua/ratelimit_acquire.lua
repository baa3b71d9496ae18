-- ratelimit_acquire: sliding-window log limiter, "at most ARGV[3] starts in any ARGV[2] ms".
-- One sorted set per queue: member = one granted slot, score = when it was granted.
--
-- KEYS[1]  the limiter's sorted set (keys.rateLimit(queue))
-- ARGV[1]  now, ms since epoch (the caller's clock; scripts never read the server clock)
-- ARGV[2]  window, ms
-- ARGV[3]  max slots per window
-- ARGV[4]  member: unique id of this slot (so two grants in the same ms both count)
--
-- Returns {1, 0} when a slot was granted,
--         {0, retryInMs} when the window is full (retryInMs >= 1: when the oldest slot leaves it).
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local max = tonumber(ARGV[3])
redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", now - window)
local used = redis.call("ZCARD", KEYS[1])
if used < max then
  redis.call("ZADD", KEYS[1], now, ARGV[4])
  -- Twice the window: the TTL runs on the server's clock, the scores on the callers'. With a TTL
  -- of one window the key could vanish while a caller whose clock reads a little behind (or whose
  -- call was slow to arrive) still has these slots inside its window, and it would be granted one
  -- too many.
  redis.call("PEXPIRE", KEYS[1], 2 * window)
  return {1, 0}
end
local oldest = redis.call("ZRANGE", KEYS[1], 0, 0, "WITHSCORES")
local retry = tonumber(oldest[2]) + window - now
if retry < 1 then retry = 1 end
return {0, retry}
