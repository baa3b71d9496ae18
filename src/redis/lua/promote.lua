-- promote.lua: move due jobs from every scheduled registry to their queues (delay/at, retries).
-- ZREM decides the winner, so several daemons calling it at once promote each job once.
-- KEYS[1] queues set (keys.queues())
-- KEYS[2] events stream (keys.events())
-- ARGV[1] env header (see job_lib)
-- ARGV[2] now ms
-- ARGV[3] at most this many per queue
-- Returns: the number of jobs promoted.
--@include moves_lib

local limit, n = tonumber(ARGV[3]), 0
for _, q in ipairs(redis.call("SMEMBERS", QUEUES_KEY)) do
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
