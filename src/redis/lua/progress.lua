-- progress.lua: store a started job's progress, log it and publish it for live listeners.
-- KEYS[1] the forward records of the call's tag (keys.forward(tag), forward_lib; routes the call)
-- KEYS[2] events stream of the call's tag (keys.events(tag))
-- ARGV[1] env header (see job_lib)
-- ARGV[2] now ms
-- ARGV[3] job id
-- ARGV[4] progress JSON
-- ARGV[5] pub/sub channel (keys.realtime("job_progress"))
-- Returns: 1 when stored, 0 when the job is not started (nothing written).
--@include job_lib

local id = ARGV[3]
local jk = key("job", id)
local j = redis.call("HMGET", jk, "status", "queue")
if j[1] ~= "started" then return 0 end
redis.call("HSET", jk, "progress", ARGV[4])
local p = cjson.decode(ARGV[4])
emit("job.progress", "debug", tostring(p.percent) .. "% " .. tostring(p.title or ""), id, j[2], { data = p })
redis.call("PUBLISH", ARGV[5], cjson.encode({ jobId = id, queue = j[2], progress = p }))
return 1
