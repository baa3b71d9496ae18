-- ratelimit_release.lua: give back a slot that was granted but not used (the queue was empty).
-- KEYS[1] the limiter's sorted set (keys.rateLimit(queue))
-- ARGV[1] member returned by ratelimit_acquire's caller
-- Returns: 1 when the slot was given back, 0 when it had already left the window.
return redis.call("ZREM", KEYS[1], ARGV[1])
