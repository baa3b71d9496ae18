-- dequeue_lib.lua: take(), shared by dequeue.lua and complete.lua (which takes the worker's
-- next job in the same call, as BullMQ's moveToFinished does); pasted in by `--@include
-- dequeue_lib` after job_lib, never run alone.

-- Take the first job of the first non-empty queue among ARGV[first..last] and lease it to
-- `worker` for `lease` ms. Returns the job hash as a flat HGETALL array (status started,
-- attempt+1, worker, startedAt; its id is in started:<queue> with score now + lease), or nil
-- when every queue is empty.
local function take(worker, lease, first, last)
  local started_at = ARGV[2]
  for i = first, last do
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
        redis.call("HSET", jk, "status", "started", "attempt", attempt, "worker", worker, "startedAt", started_at)
        local changed = { status = "started", attempt = tostring(attempt), worker = worker, startedAt = started_at }
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
end
