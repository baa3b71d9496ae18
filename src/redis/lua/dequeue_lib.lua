-- dequeue_lib.lua: take(), shared by dequeue.lua, complete.lua and complete_many.lua (which
-- take the worker's next job in the same call, as BullMQ's moveToFinished does).
-- Provides: take
--@include deps_lib

-- Take the first job of the first non-empty queue among ARGV[first..last] and lease it to
-- `worker` for `lease` ms. Returns the job hash as a flat HGETALL array (status started,
-- attempt+1, worker, startedAt, plus its id; its id is in started:<queue> with score now + lease), or nil
-- when every queue is empty. `untrimmed`: a table to note the queues whose wake markers the
-- caller trims afterwards (once for several takes); nil: trim here.
local function take(worker, lease, first, last, untrimmed)
  local started_at = ARGV[2]
  for i = first, last do
    local q = ARGV[i]
    -- bounded: skip ids whose hash is gone or is no longer queued (should not happen; be safe)
    for _ = 1, 10 do
      local id = redis.call("LPOP", key("queue", q))
      if not id then break end
      local jk = key("job", id)
      -- the whole hash is the answer: read it once, check it, write the lease, patch the copy
      -- (one pass for the four fields it needs: no table of every field per job)
      local h = redis.call("HGETALL", jk)
      local si, ai, wi, ti, ci, qi, ki, mi
      for k = 1, #h, 2 do
        local f = h[k]
        if f == "status" then si = k + 1
        elseif f == "attempt" then ai = k + 1
        elseif f == "worker" then wi = k + 1
        elseif f == "startedAt" then ti = k + 1
        elseif f == "cancelRequested" then ci = k + 1
        elseif f == "queue" then qi = k + 1
        elseif f == "task" then ki = k + 1
        elseif f == "method" then mi = k + 1 end
      end
      if si and h[si] == "queued" and ci then
        -- canceled while it ran, then given back (its worker died or stopped): not run again
        local why = "cancel requested while it was running; not run again"
        to_canceled(id, q, why, ENV.cttl, { type = "job.canceled", level = "info", msg = why })
        fail_dependents(id, "failed")
      elseif si and h[si] == "queued" then
        if untrimmed then untrimmed[q] = true else trim_wake(q) end
        local attempt = (tonumber(ai and h[ai]) or 0) + 1
        to_started(id, q, worker, attempt, started_at, lease, (ki and h[ki]) or (mi and h[mi]))
        h[si] = "started"
        if ai then h[ai] = tostring(attempt) else h[#h + 1] = "attempt"; h[#h + 1] = tostring(attempt) end
        if wi then h[wi] = worker else h[#h + 1] = "worker"; h[#h + 1] = worker end
        if ti then h[ti] = started_at else h[#h + 1] = "startedAt"; h[#h + 1] = started_at end
        -- the hash does not store its id (it is in the key): the answer carries it
        h[#h + 1] = "id"; h[#h + 1] = id
        -- A hash whose queue field is missing or names another queue (written by hand in Redis):
        -- lease it under the queue it was taken from, so the worker can fail it once with the
        -- reason (src/queue/job-integrity.ts), instead of a lease no script can find and a
        -- reaper that requeues it forever as "worker died".
        if not qi or h[qi] ~= q then
          local why = qi and ("job hash field queue says " .. cjson.encode(h[qi]) .. " but the job was in queue " .. cjson.encode(q)) or "job hash field queue is missing"
          redis.call("HSET", jk, "queue", q)
          if qi then h[qi] = q else h[#h + 1] = "queue"; h[#h + 1] = q end
          h[#h + 1] = "takeProblem"; h[#h + 1] = why
        end
        return h
      end
    end
    trim_wake(q)
  end
  return nil
end
