-- dequeue.lua: take the first job of the first non-empty queue and lease it to a worker.
-- KEYS[1] queues set, KEYS[2] events stream (see job_lib)
-- ARGV[1] env header JSON, ARGV[2] now ms, ARGV[3] worker name, ARGV[4] lease ms,
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
    if redis.call("HGET", jk, "status") == "queued" then
      trim_wake(q)
      local attempt = redis.call("HINCRBY", jk, "attempt", 1)
      redis.call("HSET", jk, "status", "started", "worker", worker, "startedAt", NOW)
      redis.call("ZADD", key("started", q), NOW + lease, id)
      emit("job.started", "debug", "started attempt " .. attempt, id, q, { worker = worker })
      return redis.call("HGETALL", jk)
    end
  end
  trim_wake(q)
end
return nil
