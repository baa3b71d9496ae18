-- dequeue.lua: take the first job of the first non-empty queue and lease it to a worker.
-- KEYS[1] queues set, KEYS[2] events stream (see job_lib)
-- ARGV[1] env header (see job_lib), ARGV[2] now ms, ARGV[3] worker name, ARGV[4] lease ms,
--   ARGV[5..] queue names in the order to try
-- Returns the job hash as a flat HGETALL array (status started, attempt+1, worker, startedAt;
--   its id is in started:<queue> with score now + lease), or nil when every queue is empty.
--@include job_lib

local worker, lease = ARGV[3], tonumber(ARGV[4])
for i = 5, #ARGV do
  local q = ARGV[i]
  -- bounded: skip ids whose hash is gone or is no longer queued (should not happen; be safe)
  for _ = 1, 10 do
    local id = redis.call("LPOP", key("queue", q))
    if not id then break end
    local jk = key("job", id)
    -- the whole hash is the answer: read it once, check it, write the lease, patch the copy
    local h = redis.call("HGETALL", jk)
    local at = {}
    for k = 1, #h, 2 do at[h[k]] = k + 1 end
    if at.status and h[at.status] == "queued" then
      trim_wake(q)
      local attempt = (tonumber(at.attempt and h[at.attempt]) or 0) + 1
      redis.call("HSET", jk, "status", "started", "attempt", attempt, "worker", worker, "startedAt", ARGV[2])
      local changed = { status = "started", attempt = tostring(attempt), worker = worker, startedAt = ARGV[2] }
      for f, v in pairs(changed) do
        if at[f] then h[at[f]] = v else h[#h + 1] = f; h[#h + 1] = v end
      end
      redis.call("ZADD", key("started", q), NOW + lease, id)
      emit("job.started", "debug", "started attempt " .. attempt, id, q, { worker = worker })
      return h
    end
  end
  trim_wake(q)
end
return nil
