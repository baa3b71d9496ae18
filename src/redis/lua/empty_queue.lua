-- empty_queue.lua: delete every job waiting in one queue (RQ's Queue.empty()); jobs in other
-- states (scheduled, started, finished, ...) are left alone. Jobs that depend on a deleted one
-- are canceled ("dependency <id> was deleted") unless they allow failure (see deps_lib).
-- KEYS[1] the forward records of the call's tag (keys.forward(tag), forward_lib; routes the call)
-- KEYS[2] events stream of the call's tag (keys.events(tag))
-- ARGV[1] env header (see job_lib)
-- ARGV[2] now ms
-- ARGV[3] queue name
-- Returns: the number of jobs deleted.
--@include deps_lib

local q = ARGV[3]
local ids = redis.call("LRANGE", key("queue", q), 0, -1)
local deleted = {}
for _, id in ipairs(ids) do
  if redis.call("HGET", key("job", id), "status") == "queued" then
    redis.call("DEL", key("job", id), key("attempts", id), key("children", id))
    deleted[#deleted + 1] = id
  end
end
redis.call("DEL", key("queue", q), key("wake", q))
-- after the list is gone: a dependent that allows failure may be pushed onto this very queue
for _, id in ipairs(deleted) do fail_dependents(id, "was deleted") end
if #deleted > 0 then emit("queue.emptied", "warn", "emptied: " .. #deleted .. " jobs deleted", nil, q) end
return #deleted
