-- schedule_outcome_apply.lua: apply an outcome record (schedule_outcome_lib, written by complete,
-- fail or reap on a queue's own tag) to the schedule's state on the installation's tag, once.
-- The proof it counts once: an applied mark per record (the job's id and the record's `at`, the
-- writer's now) in the task's sorted set of marks, written in this script with the effect; a
-- record applied again (its drop lost in a crash, or a second applier that read it before the
-- drop) finds its mark and changes nothing. The set keeps the newest MARKS_KEPT marks of the
-- task (by `at`) and lives a week past its last write: a mark is needed only until its record's
-- drop, which the next sweep of any worker does (the appliers retry each reapMs), and only an
-- apply adds marks, so MARKS_KEPT newer outcomes of one task cannot be applied in between.
-- KEYS[1] the forward records of the call's tag (keys.forward(tag), forward_lib; routes the call)
-- KEYS[2] events stream of the call's tag (keys.events(tag))
-- ARGV[1] env header (see job_lib)
-- ARGV[2] now ms
-- ARGV[3] the record's body (JSON { kind = "outcome", task, outcome, at })
-- Returns: { applied (1 now, 0 applied before), the pause note when this outcome paused the
--   schedule (pauseOnFailure; applied before: when the pause names this job), else "" }
--@include schedule_outcome_lib

local MARKS_KEPT = 1000
local WEEK_MS = 7 * 24 * 3600 * 1000
local r = cjson.decode(ARGV[3])
local marks = KEY_ROOT .. "schedule-outcome-applied:" .. r.task
local mark = tostring(r.outcome.jobId) .. "\t" .. string.format("%d", r.at)
if redis.call("ZSCORE", marks, mark) then
  -- applied before (by another applier): the pause note if that apply paused the schedule
  local p = redis.call("HGET", KEY_ROOT .. "schedule-pause", r.task)
  local rec = p and cjson.decode(p)
  return { 0, (rec and rec.jobId == r.outcome.jobId and rec.cause == "failures" and rec.note) or "" }
end
redis.call("ZADD", marks, r.at, mark)
redis.call("ZREMRANGEBYRANK", marks, 0, -(MARKS_KEPT + 1))
redis.call("PEXPIRE", marks, WEEK_MS)
local note = apply_outcome(r.task, r.outcome, true)
return { 1, note or "" }
