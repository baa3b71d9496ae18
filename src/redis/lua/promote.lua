-- promote.lua: move due jobs from the given queues' scheduled registries to their queues
-- (delay/at, retries).
-- ZREM decides the winner, so several daemons calling it at once promote each job once.
-- KEYS[1] the forward records of the call's tag (keys.forward(tag), forward_lib; routes the call)
-- KEYS[2] events stream of the call's tag (keys.events(tag))
-- ARGV[1] env header (see job_lib)
-- ARGV[2] now ms
-- ARGV[3] at most this many per queue
-- ARGV[4..] the queues whose scheduled registries to look at (the caller reads the queues set:
--   an installation key, while these queues' keys are on their job tag; src/queue/lifecycle.ts)
-- Returns: the number of jobs promoted.
--@include moves_lib

local limit, n = tonumber(ARGV[3]), 0
for i = 4, #ARGV do
  local q = ARGV[i]
  local reg = key("scheduled", q)
  for _, id in ipairs(redis.call("ZRANGEBYSCORE", reg, "-inf", NOW, "LIMIT", 0, limit)) do
    redis.call("ZREM", reg, id)
    local jk = key("job", id)
    local j = redis.call("HMGET", jk, "status", "atFront")
    if j[1] == "scheduled" then
      to_queued(id, q, { front = j[2] == "1" })
      n = n + 1
    end
  end
end
return n
