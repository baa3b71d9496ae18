-- complete.lua: finish a started job and push its after-commit follow-up jobs, atomically.
-- KEYS[1] queues set, KEYS[2] events stream (see job_lib)
-- ARGV[1] env header JSON, ARGV[2] now ms, ARGV[3] job id, ARGV[4] worker,
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

local id, worker, ttl = ARGV[3], ARGV[4], tonumber(ARGV[6])
local q = owns(id, worker)
if not q then return cjson.encode({ outcome = "lease-lost" }) end

local jk = key("job", id)
redis.call("ZREM", key("started", q), id)
redis.call("HSET", jk, "status", "finished", "endedAt", NOW)
if ARGV[5] ~= "" then redis.call("HSET", jk, "result", ARGV[5]) end
local j = redis.call("HMGET", jk, "attempt", "startedAt", "task")
record_attempt(id, { attempt = tonumber(j[1]), worker = worker, startedAt = tonumber(j[2]), endedAt = NOW, outcome = "finished" })
retire(id, q, "finished", ttl)
emit("job.finished", "info", "finished in " .. (NOW - (tonumber(j[2]) or NOW)) .. " ms", id, q, { worker = worker, task = j[3] or nil })
trim_registry("finished", q, tonumber(ARGV[7]))
release_dependents(id)

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
