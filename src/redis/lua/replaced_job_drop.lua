-- replaced_job_drop.lua: on the per-queue layout (issue 17) an ended job (finished, failed,
-- canceled) on this tag had its id enqueued again on another queue's tag (push.ts, through
-- src/queue/ids-elsewhere.ts): the old record leaves, as enqueue_lib's write_spec replaces one
-- on its own tag (RQ semantics): its registry entry, hash, attempts and children go, and the
-- dependents it left unsettled are settled first. A job live here again by now is kept (two
-- enqueues racing on two queues: the window ids-elsewhere.ts documents).
-- KEYS[1] the forward records of the call's tag (keys.forward(tag), forward_lib; routes the call)
-- KEYS[2] events stream of the call's tag (keys.events(tag))
-- ARGV[1] env header (see job_lib)
-- ARGV[2] now ms
-- ARGV[3] job id
-- Returns: "dropped", "live" (kept) or "missing".
--@include deps_lib

local id = ARGV[3]
local jk = key("job", id)
local j = redis.call("HMGET", jk, "status", "queue")
local status, q = j[1], j[2]
if not status or not q then return "missing" end
if LIVE[status] then return "live" end
settle_leftovers(id)
redis.call("ZREM", key(status, q), id)
redis.call("DEL", jk, key("attempts", id), key("children", id), key("remote-deps", id))
return "dropped"
