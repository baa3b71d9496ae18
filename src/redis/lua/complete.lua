-- complete.lua: finish a started job and push its after-commit follow-up jobs, atomically;
-- optionally take the worker's next job in the same call (one round trip per job in a backlog).
-- A follow-up reusing the id of a live job without deduplicate, or naming an unknown or failed
-- dependency, is rejected (not pushed); the completion still happens (the task already ran) and
-- a warn event names it. Deferred jobs waiting on this one count it done (see deps_lib); those
-- with nothing left to wait for move to their queue here.
-- KEYS[1] the forward records of the call's tag (keys.forward(tag), forward_lib; routes the call)
-- KEYS[2] events stream of the call's tag (keys.events(tag))
-- ARGV[1] env header (see job_lib)
-- ARGV[2] now ms
-- ARGV[3] job id
-- ARGV[4] worker
-- ARGV[5] result JSON or "" (none)
-- ARGV[6] finished retention ms
-- ARGV[7] trim bound
-- ARGV[8] lease ms of the next job to take, or "" (take none)
-- ARGV[9] Q = how many queues to take from
-- ARGV[10..] those Q queues in order, then the follow-up PreparedJob JSON specs
-- Returns: JSON { outcome = "finished", pushed = [ids], rejected = [ids] }
--   or { outcome = "lease-lost" } when the caller does not own the job (nothing written);
--   with a take: { that JSON, the taken job as dequeue.lua returns it (absent: none) }.
--@include complete_lib
--@include enqueue_lib
--@include dequeue_lib

local LEASE_LOST = '{"outcome":"lease-lost"}'
local FINISHED_NONE = '{"outcome":"finished","pushed":[],"rejected":[]}'

local id, worker, ttl = ARGV[3], ARGV[4], tonumber(ARGV[6])
local take_lease, n_queues = tonumber(ARGV[8]), tonumber(ARGV[9])
local first_spec = 10 + n_queues

-- the completion's answer (JSON); the take, if asked, follows it whatever it was: a lease lost
-- on this job still leaves the worker's slot free
local function complete()
  local q = finish_job(id, worker, ARGV[5], ttl)
  if not q then return LEASE_LOST end
  trim_registry("finished", q, tonumber(ARGV[7]))

  -- no follow-ups (the usual case): a constant answer, no table to encode
  if #ARGV < first_spec then return FINISHED_NONE end

  local pushed, rejected, seen = {}, {}, {}
  for i = first_spec, #ARGV do
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
end

local outcome = complete()
history_flush()
if not take_lease then return outcome end
return { outcome, take(worker, take_lease, 10, 9 + n_queues) }
