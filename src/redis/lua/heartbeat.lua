-- heartbeat.lua: extend the leases of the jobs a worker is running, and say which of them
-- someone asked to cancel (cancel.lua flags a started job; the supervisor then stops it).
-- A job it no longer owns is left alone: its lease was reaped while the worker could not renew
-- it (see worker/reap-gate.ts), so the job was requeued or ended, and the worker stops its run.
-- KEYS[1] the forward records of the call's tag (keys.forward(tag), forward_lib; routes the call)
-- KEYS[2] events stream of the call's tag (keys.events(tag); unused, kept for the job-script convention)
-- ARGV[1] env header (see job_lib)
-- ARGV[2] now ms
-- ARGV[3] worker
-- ARGV[4] lease ms
-- ARGV[5..] pairs: job id, queue
-- Returns: { number of leases extended, { ids of those jobs with a cancel request }, { ids the
--   worker no longer owns } }.
--@include job_lib

local worker, lease, n, cancels, lost = ARGV[3], tonumber(ARGV[4]), 0, {}, {}
for i = 5, #ARGV, 2 do
  local id, q = ARGV[i], ARGV[i + 1]
  local st = redis.call("HMGET", key("job", id), "status", "worker", "cancelRequested")
  if st[1] == "started" and st[2] == worker then
    n = n + redis.call("ZADD", key("started", q), "XX", "CH", NOW + lease, id)
    if st[3] then cancels[#cancels + 1] = id end
  elseif st[2] ~= worker then
    -- reaped (its worker field cleared) or taken by another worker: not a run of ours to finish.
    -- A job this worker ended itself (finished, retry scheduled) keeps its name and is not listed.
    lost[#lost + 1] = id
  end
end
return { n, cancels, lost }
