-- enqueue_lib.lua: writing prepared jobs, pasted in by `--@include enqueue_lib` after job_lib;
-- never run alone. A spec is the JSON of a PreparedJob:
--   { id, queue, fields = { hash field = string }, runAt? (ms), atFront?, deduplicate? }
-- check_spec(spec, seen) -> "new" | "dedupe" | "live", status   (reads only)
-- write_spec(spec) -> status written ("queued" or "scheduled")

local function check_spec(spec, seen)
  local st = seen[spec.id] or redis.call("HGET", key("job", spec.id), "status")
  if st and LIVE[st] then
    if spec.deduplicate then return "dedupe", st end
    return "live", st
  end
  return "new", st
end

local function write_spec(spec)
  local id, q = spec.id, spec.queue
  local jk = key("job", id)
  local old_q = redis.call("HGET", jk, "queue")
  if old_q then
    -- a finished/failed/canceled job with this id is replaced (RQ semantics): it leaves its
    -- registry and its history goes with it
    redis.call("ZREM", key("finished", old_q), id)
    redis.call("ZREM", key("failed", old_q), id)
    redis.call("ZREM", key("canceled", old_q), id)
    redis.call("DEL", jk, key("attempts", id))
  end
  local flat = {}
  for k, v in pairs(spec.fields) do
    flat[#flat + 1] = k
    flat[#flat + 1] = v
  end
  local status
  local run_at = tonumber(spec.runAt)
  if run_at and run_at > NOW then
    status = "scheduled"
    redis.call("HSET", jk, "status", status, "scheduledAt", run_at, unpack(flat))
    redis.call("ZADD", key("scheduled", q), run_at, id)
  else
    status = "queued"
    redis.call("HSET", jk, "status", status, "enqueuedAt", NOW, unpack(flat))
    push_queued(id, q, spec.atFront)
  end
  redis.call("SADD", QUEUES_KEY, q)
  emit("job.enqueued", "info", "enqueued " .. (spec.fields.method or "?") .. " (" .. status .. ")", id, q,
    { task = spec.fields.task, data = { status = status } })
  return status
end
