-- purge.lua: delete one page of jobs for `scheduler purge` (Frappe's purge-jobs). The script reads
-- the page itself (by rank), so what it checks is what it deletes, atomically. Jobs that depend
-- on a deleted one are canceled ("dependency <id> was deleted") unless they allow failure, as
-- empty_queue does (see deps_lib).
-- KEYS[1] the forward records of the call's tag (keys.forward(tag), forward_lib; routes the call)
-- KEYS[2] events stream of the call's tag (keys.events(tag))
-- ARGV[1] env header (see job_lib)
-- ARGV[2] now ms
-- ARGV[3] queue name
-- ARGV[4] status: queued, scheduled, deferred, finished, failed or canceled (never started: a
--   running job is not deleted under its worker)
-- ARGV[5] dotted task path the job's method or scheduled task must equal ("" = any task)
-- ARGV[6] first rank of the page (0-based, in the queue list or the status's sorted set)
-- ARGV[7] page size
-- Returns: { deleted, scanned }: jobs deleted (hash, attempt and children lists, list/registry
--   entry) and ids looked at; scanned < page size means the end was reached.
--@include deps_lib

local q, want, task = ARGV[3], ARGV[4], ARGV[5]
local first, size = tonumber(ARGV[6]), tonumber(ARGV[7])
if want == "started" then return redis.error_reply("purge: started jobs are never purged") end
local list = key(want == "queued" and "queue" or want, q)
local ids
if want == "queued" then
  ids = redis.call("LRANGE", list, first, first + size - 1)
else
  ids = redis.call("ZRANGE", list, first, first + size - 1)
end
-- queued: overwrite matches in place with a marker no job id can equal (ids have no spaces),
-- then one LREM pass, instead of an O(length) LREM per job
local TOMBSTONE = "purged tombstone"
local deleted = {}
for i, id in ipairs(ids) do
  local j = redis.call("HMGET", key("job", id), "status", "queue", "method", "task")
  if j[1] == want and j[2] == q and (task == "" or j[3] == task or j[4] == task) then
    if want == "queued" then
      redis.call("LSET", list, first + i - 1, TOMBSTONE)
    else
      redis.call("ZREM", list, id)
    end
    -- a deferred job sits in the dependents sets of what it waits for
    if want == "deferred" then unlink(id) end
    redis.call("DEL", key("job", id), key("attempts", id), key("children", id))
    deleted[#deleted + 1] = id
  end
end
if want == "queued" and #deleted > 0 then
  redis.call("LREM", list, 0, TOMBSTONE)
  trim_wake(q)
end
-- after the deletions: a dependent that allows failure may be pushed onto this very queue
for _, id in ipairs(deleted) do fail_dependents(id, "was deleted") end
if #deleted > 0 then
  local what = task ~= "" and (" of " .. task) or ""
  emit("queue.purged", "warn", "purged " .. #deleted .. " " .. want .. " jobs" .. what, nil, q, { task = task ~= "" and task or nil })
end
return { #deleted, #ids }
