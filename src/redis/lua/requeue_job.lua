-- requeue_job.lua: a worker gives a started job back, to the FRONT of its queue (shutdown, a
-- killed sibling). The attempt is recorded with outcome "requeued".
-- KEYS[1] the forward records of the call's tag (keys.forward(tag), forward_lib; routes the call)
-- KEYS[2] events stream of the call's tag (keys.events(tag))
-- ARGV[1] env header (see job_lib)
-- ARGV[2] now ms
-- ARGV[3] job id
-- ARGV[4] worker
-- ARGV[5] reason
-- Returns: 1 when requeued, 0 when the caller does not own the job (nothing written).
--@include moves_lib

local id, worker, reason = ARGV[3], ARGV[4], ARGV[5]
local q = owns(id, worker)
if not q then return 0 end
local jk = key("job", id)
local j = redis.call("HMGET", jk, "attempt", "startedAt")
redis.call("ZREM", key("started", q), id)
record_attempt(id, { attempt = tonumber(j[1]), worker = worker, startedAt = tonumber(j[2]), endedAt = NOW, outcome = "requeued", reason = reason })
to_queued(id, q, { front = true, drop = { "worker" },
  event = { type = "job.requeued", level = "warn", msg = "requeued by " .. worker .. ": " .. reason, extra = { worker = worker } } })
return 1
