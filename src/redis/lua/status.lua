-- status.lua: store a started job's status record (currentJob().setStatus), and with ARGV[5]
-- "1" also append a job.status event. The record is one HSET on the job hash; the caller
-- throttles (src/runtime/status-recorder.ts).
-- KEYS[1] the forward records of the call's tag (keys.forward(tag), forward_lib; routes the call)
-- KEYS[2] events stream of the call's tag (keys.events(tag))
-- ARGV[1] env header (see job_lib)
-- ARGV[2] now ms
-- ARGV[3] job id
-- ARGV[4] status record JSON
-- ARGV[5] "1" to emit the event, "0" not to
-- Returns: 1 when stored, 0 when the job is not started (nothing written: a job run with `now`,
--   or one that already ended).
--@include job_lib

local id = ARGV[3]
local jk = key("job", id)
local j = redis.call("HMGET", jk, "status", "queue", "task")
if j[1] ~= "started" then return 0 end
redis.call("HSET", jk, "statusRecord", ARGV[4])
if ARGV[5] == "1" then
  local r = cjson.decode(ARGV[4])
  local msg = tostring(r.status or "")
  if r.processed ~= nil or r.total ~= nil then
    msg = msg .. " " .. tostring(r.processed or "?") .. "/" .. tostring(r.total or "?")
  end
  emit("job.status", "debug", msg, id, j[2], { task = j[3] or nil, data = r })
end
return 1
