-- complete.lua: finish a started job and push its after-commit follow-up jobs, atomically.
-- KEYS[1] queues set, KEYS[2] events stream (see job_lib)
-- ARGV[1] env header (see job_lib), ARGV[2] now ms, ARGV[3] job id, ARGV[4] worker,
--   ARGV[5] result JSON or "" (none), ARGV[6] finished retention ms, ARGV[7] trim bound,
--   ARGV[8..] follow-up PreparedJob JSON specs
-- Returns JSON { outcome = "finished", pushed = [ids], rejected = [ids] }
--   or { outcome = "lease-lost" } when the caller does not own the job (nothing written).
-- A follow-up reusing the id of a live job without deduplicate, or naming an unknown or failed
-- dependency, is rejected (not pushed); the completion still happens (the task already ran) and
-- a warn event names it. Deferred jobs waiting on this one count it done (see deps_lib); those
-- with nothing left to wait for move to their queue here.
--@include job_lib
--@include deps_lib
--@include enqueue_lib

local LEASE_LOST = '{"outcome":"lease-lost"}'
local FINISHED_NONE = '{"outcome":"finished","pushed":[],"rejected":[]}'

local id, worker, ttl = ARGV[3], ARGV[4], tonumber(ARGV[6])
local jk = key("job", id)
-- one read for the lease check and everything the completion needs (owns() plus a second HMGET
-- before); the started-registry check is the ZREM itself: 0 removed = not ours, nothing written
local j = redis.call("HMGET", jk, "status", "worker", "queue", "attempt", "startedAt", "task", "childCount", "hasDependents")
if j[1] ~= "started" or j[2] ~= worker then return LEASE_LOST end
local q = j[3]
if redis.call("ZREM", key("started", q), id) == 0 then return LEASE_LOST end

if ARGV[5] ~= "" then
  redis.call("HSET", jk, "status", "finished", "endedAt", NOW, "result", ARGV[5])
else
  redis.call("HSET", jk, "status", "finished", "endedAt", NOW)
end
local started_at = tonumber(j[5])
record_attempt(id, { attempt = tonumber(j[4]), worker = worker, startedAt = started_at, endedAt = NOW, outcome = "finished" })
retire(id, q, "finished", ttl, j[7] ~= false)
emit("job.finished", "info", "finished in " .. (NOW - (started_at or NOW)) .. " ms", id, q, { worker = worker, task = j[6] or nil })
trim_registry("finished", q, tonumber(ARGV[7]))
-- only jobs named in some dependsOn carry the flag (enqueue_lib write_spec sets it)
if j[8] then release_dependents(id) end

-- no follow-ups (the usual case): a constant answer, no table to encode
if #ARGV < 8 then return FINISHED_NONE end

local pushed, rejected, seen = {}, {}, {}
for i = 8, #ARGV do
  local spec = cjson.decode(ARGV[i])
  local verdict, dep = check_spec(spec, seen)
  if verdict == "new" then
    write_spec(spec)
    seen[spec.id] = "queued"
    pushed[#pushed + 1] = spec.id
  elseif verdict == "live" then
    rejected[#rejected + 1] = spec.id
    emit("job.rejected", "warn", "follow-up not enqueued: id " .. spec.id .. " is taken by a live job", spec.id, spec.queue, { data = { parentId = id } })
  elseif verdict == "unknown-dep" or verdict == "failed-dep" then
    rejected[#rejected + 1] = spec.id
    local what = verdict == "unknown-dep" and " is not a job" or " already failed"
    emit("job.rejected", "warn", "follow-up not enqueued: dependency " .. dep .. what, spec.id, spec.queue, { data = { parentId = id } })
  end
end
return cjson.encode({ outcome = "finished", pushed = pushed, rejected = rejected })
