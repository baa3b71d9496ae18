-- dependency_settle.lua: on the dependent's tag, count a dependency of another tag that settled
-- (a settle record, or a link record answered with a status: forward_lib), and drop that link
-- record when there is one. Idempotent: a dependency already counted (not in remote-deps) is
-- counted no more (deps_lib settle_remote).
-- KEYS[1] the forward records of the call's tag (keys.forward(tag), forward_lib; routes the call)
-- KEYS[2] events stream of the call's tag (keys.events(tag))
-- ARGV[1] env header (see job_lib)
-- ARGV[2] now ms
-- ARGV[3] the dependent's id (a job of this tag)
-- ARGV[4] the dependency's id
-- ARGV[5] what it settled as ("finished", "failed", "canceled", "was deleted"), or "linked"
--   (it is live and lists the dependent: nothing to count yet)
-- ARGV[6] a forward record of this tag to drop (its field), or ""
-- ARGV[7] that record's body as applied (dropped only if unchanged; see forward_drop.lua)
-- Returns: 1 when the dependency was counted now, else 0.
--@include deps_lib

local counted = 0
if ARGV[5] ~= "linked" then counted = settle_remote(ARGV[3], ARGV[4], ARGV[5]) end
if ARGV[6] ~= "" and redis.call("HGET", KEYS[1], ARGV[6]) == ARGV[7] then redis.call("HDEL", KEYS[1], ARGV[6]) end
return counted
