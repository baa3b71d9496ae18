-- delete_job.lua: delete one job that is not running (the console's delete button), as purge.lua
-- deletes a page of them: its hash, attempts and children lists and its registry entry, then the
-- jobs that depend on it are canceled ("dependency <id> was deleted") unless they allow failure.
-- KEYS[1] the forward records of the call's tag (keys.forward(tag), forward_lib; routes the call)
-- KEYS[2] events stream of the call's tag (keys.events(tag))
-- ARGV[1] env header (see job_lib)
-- ARGV[2] now ms
-- ARGV[3] job id
-- Returns: "ok", "missing", or the status of a job that cannot be deleted ("started").
--@include deps_lib

local id = ARGV[3]
local j = redis.call("HMGET", key("job", id), "status", "queue")
local status, q = j[1], j[2]
if not status or not q then return "missing" end
if status == "started" then return "started" end
if status == "queued" then
  redis.call("LREM", key("queue", q), 0, id)
  trim_wake(q)
else
  redis.call("ZREM", key(status, q), id)
end
if status == "deferred" then unlink(id) end
redis.call("DEL", key("job", id), key("attempts", id), key("children", id))
fail_dependents(id, "was deleted")
emit("job.deleted", "warn", "deleted (" .. status .. ")", id, q)
return "ok"
