-- enqueue.lua: write one or more prepared jobs atomically (enqueue, transaction commit), with an
-- optional scheduler guard (one enqueue per task slot; the overlap policy while the last job is
-- live: see schedule_guard_lib.lua).
-- KEYS[1] the forward records of the call's tag (keys.forward(tag), forward_lib; routes the call)
-- KEYS[2] events stream of the call's tag (keys.events(tag))
-- KEYS[3] last-slots hash of the call's tag, task -> slot ms (optional: guarded calls only,
--   with KEYS[4..5]; the guard's keys are all on the call's tag, keys.lastSlots(tag))
-- KEYS[4] last-jobs hash of the call's tag, task -> id (guarded calls only)
-- KEYS[5] fence hash of the call's tag, see fence_lib (guarded calls only)
-- ARGV[1] env header (see job_lib)
-- ARGV[2] now ms
-- ARGV[3] guard JSON { task, slot, fence?, fenceRises?, overlap?, sibling?, mode?, catchup? } or
--   "" (fence: the leader lease number the caller holds, checked against the lease's own fence
--   hash, or with fenceRises (a queue's tag) against the highest number the tag has seen, which
--   it raises; the rest: see schedule_guard_lib)
-- ARGV[4..] PreparedJob JSON specs
-- Returns: a JSON string:
--   { ok = true, results = [ { id, status, dedup = true?, job = [HGETALL of the live job]? } ] }
--   { ok = false, error = "live", id, status }   a non-dedup spec reuses a live id; nothing written
--   { ok = false, error = "unknown-dep", id, dep }           a dependency names no job; nothing written
--   { ok = false, error = "failed-dep", id, dep, status }    a dependency already failed (no
--                                                            allowFailure); nothing written
--   { ok = false, guard = "slot-taken" }         the slot was already handled; nothing written
--   { ok = false, guard = "fenced" }             the caller's lease is stale; nothing written
--   { ok = false, guard = "overlap", running = id }  the last job is live; only the slot recorded
--@include enqueue_lib
--@include fence_lib
--@include schedule_guard_lib

local guard = ARGV[3] ~= "" and cjson.decode(ARGV[3]) or nil
local wait_for
if guard then
  local fenced = false
  if guard.fence and guard.fenceRises then
    fenced = fence_raise(KEYS[5], guard.fence)
  elseif guard.fence then
    fenced = fence_stale(KEYS[5], guard.fence)
  end
  if fenced then
    return cjson.encode({ ok = false, guard = "fenced" })
  end
  local refusal
  refusal, wait_for = schedule_guard(guard, KEYS[3], KEYS[4])
  if refusal then return cjson.encode(refusal) end
end

-- check every spec before writing anything, so a refusal leaves Redis untouched
local specs, verdicts, seen = {}, {}, {}
for i = 4, #ARGV do
  local spec = cjson.decode(ARGV[i])
  if wait_for and i == 4 then chain_after(spec, wait_for) end
  local verdict, a, b = check_spec(spec, seen)
  if verdict == "live" then
    return cjson.encode({ ok = false, error = "live", id = spec.id, status = a })
  end
  if verdict == "unknown-dep" or verdict == "failed-dep" then
    return cjson.encode({ ok = false, error = verdict, id = spec.id, dep = a, status = b })
  end
  if verdict == "new" then seen[spec.id] = "queued" end
  specs[#specs + 1] = spec
  verdicts[#verdicts + 1] = verdict
end

local results = {}
for i, spec in ipairs(specs) do
  if verdicts[i] == "dedupe" then
    results[i] = { id = spec.id, dedup = true, job = redis.call("HGETALL", key("job", spec.id)) }
  else
    results[i] = { id = spec.id, status = write_spec(spec) }
  end
end

if guard then schedule_record(guard, specs[1].id, KEYS[3], KEYS[4]) end
return cjson.encode({ ok = true, results = results })
