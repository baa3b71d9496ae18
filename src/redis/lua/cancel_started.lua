-- cancel_started.lua: end a started job as canceled, for the worker that holds it, after a
-- cancel request (cancel.lua) stopped it: its task gave up on the abort signal, or its worker
-- was killed past the grace period. No retry, no failure handlers: it was asked for. Jobs that
-- depend on it are settled as for a canceled job (canceled in turn unless they allow failure).
-- KEYS[1] the forward records of the call's tag (keys.forward(tag), forward_lib; routes the call)
-- KEYS[2] events stream of the call's tag (keys.events(tag))
-- ARGV[1] env header (see job_lib)
-- ARGV[2] now ms
-- ARGV[3] job id
-- ARGV[4] worker
-- ARGV[5] canceled retention ms
-- ARGV[6] how it stopped (text for the event and the attempt)
-- Returns: "canceled", or "lease-lost" when the worker does not own the job (nothing written).
--@include deps_lib

local id, worker, ttl, how = ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6]
local jk = key("job", id)
local j = redis.call("HMGET", jk, "status", "worker", "queue", "attempt", "startedAt", "task")
if j[1] ~= "started" or j[2] ~= worker then return "lease-lost" end
local q = j[3]
if redis.call("ZREM", key("started", q), id) == 0 then return "lease-lost" end
record_attempt(id, { attempt = tonumber(j[4]), worker = worker, startedAt = tonumber(j[5]), endedAt = NOW, outcome = "canceled", reason = how })
to_canceled(id, q, how, ttl, { type = "job.canceled", level = "info", msg = "canceled while running: " .. how, extra = { worker = worker, task = j[6] or nil } })
fail_dependents(id, "failed")
return "canceled"
