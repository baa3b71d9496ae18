-- requeue.lua: put a failed or canceled job back on its queue (attempt history kept, the
-- automatic retry budget and stall count reset).
-- KEYS[1] the forward records of the call's tag (keys.forward(tag), forward_lib; routes the call)
-- KEYS[2] events stream of the call's tag (keys.events(tag))
-- ARGV[1] env header (see job_lib)
-- ARGV[2] now ms
-- ARGV[3] job id
-- Returns: "ok" when requeued now, or the job's status when it is not failed/canceled, or "missing".
--@include moves_lib

local id = ARGV[3]
local jk = key("job", id)
local j = redis.call("HMGET", jk, "status", "queue")
local st, q = j[1], j[2]
if not st then return "missing" end
if st ~= "failed" and st ~= "canceled" then return st end
redis.call("ZREM", key(st, q), id)
redis.call("PERSIST", jk)
redis.call("PERSIST", key("attempts", id))
redis.call("PERSIST", key("children", id))
to_queued(id, q, { set = { "retries", 0, "stalls", 0 }, drop = { "worker", "endedAt", "cancelReason", "cancelRequested" },
  event = { type = "job.requeued", level = "info", msg = "requeued from " .. st } })
return "ok"
