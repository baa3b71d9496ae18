-- dependency_link.lua: apply a link record (forward_lib) on the dependency's tag: job `dep` lists
-- a dependent of another tag among its remote dependents, or answers that it already settled.
-- Idempotent: a second apply adds the same set member again.
-- KEYS[1] the forward records of the call's tag (keys.forward(tag), forward_lib; routes the call)
-- KEYS[2] events stream of the call's tag (keys.events(tag))
-- ARGV[1] env header (see job_lib)
-- ARGV[2] now ms
-- ARGV[3] the dependency's id (a job of this tag)
-- ARGV[4] the dependent, as "<queue>\t<id>"
-- Returns: "linked" (dep is live: its settlement will send a settle record), else what the
--   dependent is to count: dep's status ("finished", "failed", "canceled") or "was deleted".
--@include job_lib

local dep, member = ARGV[3], ARGV[4]
local jk = key("job", dep)
local st = redis.call("HGET", jk, "status")
if not st then return "was deleted" end
if not LIVE[st] then return st end
redis.call("SADD", key("remote-dependents", dep), member)
-- complete.lua walks a job's dependents only when the flag is set (deps_lib release_dependents)
redis.call("HSET", jk, "hasDependents", "1")
return "linked"
