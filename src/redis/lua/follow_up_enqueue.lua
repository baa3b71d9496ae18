-- follow_up_enqueue.lua: apply an enqueue record (complete.lua: a follow-up of a job of another
-- tag) on the follow-up's tag, once: the same check and write as enqueue.lua's (enqueue_lib), and
-- a follow-up refused here (its id taken by a live job, a dependency unknown or failed) gets the
-- job.rejected warn event complete.lua gives one on its own tag.
-- Applied once: a plain enqueue again is not idempotent (it would replace the job if it already
-- finished, RQ semantics), so the record's mark (its tag, field and `at`) goes into this tag's
-- follow-up-applied sorted set in the same script as the effect (the write, or the rejection),
-- and a record found marked changes nothing. A mark is kept a day (score: this script's now): a
-- record is applied again only by an applier that read it before its drop (moments later) or by
-- the next sweep after a drop that failed (each reapMs of any worker), well inside a day.
-- KEYS[1] the forward records of the call's tag (keys.forward(tag), forward_lib; routes the call)
-- KEYS[2] events stream of the call's tag (keys.events(tag))
-- ARGV[1] env header (see job_lib)
-- ARGV[2] now ms
-- ARGV[3] the record's mark: "<writer's tag>\t<field>\t<at>"
-- ARGV[4] the completing (parent) job's id, for the rejection's event
-- ARGV[5] the follow-up's PreparedJob JSON (enqueue_lib; its dependencies elsewhere placed)
-- Returns: the status written ("queued", "scheduled", "deferred"), "rejected", "deduplicated"
--   (deduplicate and its id live: nothing to do), or "applied-before" (nothing written)
--@include enqueue_lib

local KEEP_MS = 24 * 3600 * 1000
local marks, mark, spec = KEY_ROOT .. "follow-up-applied", ARGV[3], cjson.decode(ARGV[5])
if redis.call("ZSCORE", marks, mark) then return "applied-before" end
redis.call("ZADD", marks, NOW, mark)
redis.call("ZREMRANGEBYSCORE", marks, "-inf", NOW - KEEP_MS)
redis.call("PEXPIRE", marks, KEEP_MS)
local verdict, dep = check_spec(spec, {})
if verdict == "new" then return write_spec(spec) end
if verdict == "dedupe" then return "deduplicated" end
reject_follow_up(spec, verdict, dep, ARGV[4])
return "rejected"
