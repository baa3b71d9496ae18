-- reap.lua: handle started jobs whose lease expired (their worker died): requeue each to the
-- front with stalls+1, or past the stall limit fail it as abandoned. Each candidate is checked
-- again here, so several reapers running at once act on a job once. A job failed as abandoned
-- cancels the jobs that depend on it (see deps_lib), like any final failure.
-- KEYS[1] the forward records of the call's tag (keys.forward(tag), forward_lib; routes the call)
-- KEYS[2] events stream of the call's tag (keys.events(tag))
-- ARGV[1] env header (see job_lib)
-- ARGV[2] now ms
-- ARGV[3] stall limit
-- ARGV[4] failed retention ms
-- ARGV[5..] candidate JSON { id, queue, at = ISO time the lease ran out, cause = why its worker
--   died (optional) }
-- Returns: JSON { requeued = [ids], failed = [ids], abandoned = [[queue, method] of each failed] }.
--@include deps_lib
--@include history_lib
--@include schedule_outcome_lib

local limit, ttl = tonumber(ARGV[3]), tonumber(ARGV[4])
local requeued, failed, abandoned = {}, {}, {}
for i = 5, #ARGV do
  local c = cjson.decode(ARGV[i])
  local id, q = c.id, c.queue
  local score = tonumber(redis.call("ZSCORE", key("started", q), id))
  if score and score <= NOW then
    redis.call("ZREM", key("started", q), id)
    local jk = key("job", id)
    local j = redis.call("HMGET", jk, "status", "worker", "attempt", "startedAt", "task", "method", "scheduledFor")
    if j[1] == "started" then
      local who = j[2] or "?"
      local stalls = redis.call("HINCRBY", jk, "stalls", 1)
      local why = "abandoned: worker " .. who .. " died at " .. c.at
      -- the supervisor that saw its child die says why (out of memory, a signal, an exit code)
      if type(c.cause) == "string" then why = why .. ": " .. c.cause end
      if stalls > limit then
        local e = { name = "AbandonedError", message = why .. " (stalled " .. stalls .. " times, limit " .. limit .. ")" }
        record_attempt(id, { attempt = tonumber(j[3]), worker = who, startedAt = tonumber(j[4]), endedAt = NOW, outcome = "abandoned", error = e })
        to_failed(id, q, ttl, { "error", cjson.encode(e) },
          { type = "job.abandoned", level = "error", msg = e.message, extra = { worker = who, task = j[5] or nil, data = { stalls = stalls } } })
        fail_dependents(id, "failed")
        schedule_outcome(id, j[5] or nil, j[7] or nil, "abandoned", j[4], e.message)
        failed[#failed + 1] = id
        abandoned[#abandoned + 1] = { q, j[6] or "?" }
        record_history(q, j[5], "f", nil, nil)
      else
        record_attempt(id, { attempt = tonumber(j[3]), worker = who, startedAt = tonumber(j[4]), endedAt = NOW, outcome = "requeued", reason = why })
        to_queued(id, q, { front = true, drop = { "worker" },
          event = { type = "job.stalled", level = "warn", msg = why .. "; requeued (stall " .. stalls .. " of " .. limit .. ")", extra = { worker = who, task = j[5] or nil } } })
        requeued[#requeued + 1] = id
      end
    end
  end
end
history_flush()
return cjson.encode({ requeued = requeued, failed = failed, abandoned = abandoned })
