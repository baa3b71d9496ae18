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
-- A follow-up marked `forward` (its queue is on another tag) is written as an enqueue record
-- (forward_lib), "enqueue\t<this job>\t<follow-up id>", applied on its tag by
-- follow_up_enqueue.lua; one marked `refused` (a dependency on another tag, read by the caller)
-- is rejected with the same event.
-- Returns: JSON { outcome = "finished", pushed = [ids], rejected = [ids], forwarded = [record fields] }
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

  local pushed, rejected, forwarded, seen = {}, {}, {}, {}
  for i = first_spec, #ARGV do
    local spec = cjson.decode(ARGV[i])
    if spec.refused then
      -- a dependency on another tag refuses it (the caller read it: dependencies-elsewhere.ts)
      rejected[#rejected + 1] = spec.id
      reject_follow_up(spec, spec.refused.verdict, spec.refused.dep, id)
    elseif spec.forward then
      -- its queue is on another tag: an enqueue record, applied there once (follow_up_enqueue.lua)
      spec.forward = nil
      local field = "enqueue\t" .. id .. "\t" .. spec.id
      forward_write(field, { kind = "enqueue", parent = id, spec = spec })
      forwarded[#forwarded + 1] = field
    else
      local verdict, dep = check_spec(spec, seen)
      if verdict == "new" then
        write_spec(spec)
        seen[spec.id] = "queued"
        pushed[#pushed + 1] = spec.id
      elseif verdict ~= "dedupe" then
        rejected[#rejected + 1] = spec.id
        reject_follow_up(spec, verdict, dep, id)
      end
    end
  end
  return cjson.encode({ outcome = "finished", pushed = pushed, rejected = rejected, forwarded = forwarded })
end

local outcome = complete()
history_flush()
if not take_lease then return outcome end
return { outcome, take(worker, take_lease, 10, 9 + n_queues) }
