-- deps_lib.lua: job dependencies (enqueue's dependsOn): settling the jobs that wait on one that
-- ended. Uses ENV.cascade and ENV.cttl from the header (job_lib).
-- Provides: undefer, unlink, release_dependents, fail_dependents, settle_leftovers, settle_remote
--
-- A deferred job D has: status "deferred"; an entry in deferred:<queue> (score: when deferred);
-- fields dependsOn (JSON list of every dependency id), depsLeft (dependencies not settled yet)
-- and allowFailure "1" (optional); and D is a member of dependents:<dep> for each unsettled dep.
-- So for a deferred D, depsLeft == the number of dependents sets holding D, and only deferred
-- jobs are in any dependents set (every exit from "deferred" unlinks the job).
--
-- A dependency settles once, in the script that ends it:
--   finished                      -> release_dependents: depsLeft - 1; at 0 the job moves on
--   failed / abandoned / canceled -> fail_dependents: each dependent is canceled with
--     cancelReason "dependency <id> failed" (and its own dependents in turn), unless it allows
--     failure, in which case the dependency counts as settled.
-- Functions: undefer(id, q), unlink(id), release_dependents(dep) -> n moved on,
--   fail_dependents(dep, why?) -> canceled ids, settle_leftovers(dep) -> n handled,
--   settle_remote(id, dep, status) -> 1 when it counted.
--
-- A dependency on another tag (a queue of its own, issue 17) cannot be read or written here: D
-- keeps remote-deps:<D> (hash dep -> its queue, the remote deps not settled yet, counted in
-- depsLeft too) and a link record (forward_lib) asks dep's tag to add "<queue>\t<D>" to
-- remote-dependents:<dep>. When dep settles there, a settle record comes back and
-- settle_remote counts it, once: the HDEL from remote-deps is the proof it was not counted yet.
--@include moves_lib
--@include forward_lib

-- a deferred job with nothing left to wait for: to its queue, or to scheduled while its
-- run-at (delay/at given with dependsOn) is still ahead
local function undefer(id, q)
  local jk = key("job", id)
  redis.call("ZREM", key("deferred", q), id)
  redis.call("HDEL", jk, "depsLeft")
  local j = redis.call("HMGET", jk, "scheduledAt", "atFront", "task")
  local run_at, status = tonumber(j[1]), "queued"
  if run_at and run_at > NOW then
    status = "scheduled"
    to_scheduled(id, q, run_at, { stored = true })
  else
    to_queued(id, q, { front = j[2] == "1" })
  end
  emit("job.undeferred", "info", "dependencies settled; " .. status, id, q, { task = j[3] or nil })
end

-- take a job that leaves "deferred" out of every dependents set it is in (a remote dependency's
-- set keeps it: the settle record it sends back finds no remote-deps entry and counts nothing)
local function unlink(id)
  local deps = redis.call("HGET", key("job", id), "dependsOn")
  if not deps then return end
  for _, d in ipairs(cjson.decode(deps)) do
    redis.call("SREM", key("dependents", d), id)
  end
  redis.call("DEL", key("remote-deps", id))
end

-- deferred dependent `id` of queue q canceled because `reason`; returns nothing
local function cancel_dependent(id, q, reason, task, root)
  redis.call("ZREM", key("deferred", q), id)
  unlink(id)
  redis.call("HDEL", key("job", id), "depsLeft")
  to_canceled(id, q, reason, ENV.cttl,
    { type = "job.canceled", level = "warn", msg = reason, extra = { task = task or nil, data = { root = root } } })
end

-- dependency `dep` finished: every deferred dependent counts it done. Not bounded: one pass over
-- the set (a fan-out of N dependents costs O(N) in this script).
local function release_dependents(dep)
  local dk = key("dependents", dep)
  local n = 0
  for _, id in ipairs(redis.call("SMEMBERS", dk)) do
    local jk = key("job", id)
    local j = redis.call("HMGET", jk, "status", "queue")
    if j[1] == "deferred" and redis.call("HINCRBY", jk, "depsLeft", -1) <= 0 then
      undefer(id, j[2])
      n = n + 1
    end
  end
  redis.call("DEL", dk)
  forward_dependents(dep, "finished")
  return n
end

-- dependency `dep` failed for good (why: "failed", or "was deleted"): walk its dependents breadth
-- first. One that allows failure counts the dependency settled (and may move on); any other is
-- canceled with the reason, and its own dependents are walked in turn. At most ENV.cascade
-- dependents are handled per call; the rest stay in their dependents sets (still deferred) and
-- cleanRegistries' deferred sweep finishes the walk. Returns the canceled ids.
local function fail_dependents(dep, why)
  local todo, head, budget, canceled = { dep }, 1, ENV.cascade, {}
  local root = dep
  forward_dependents(dep, why or "failed")
  while head <= #todo and budget > 0 do
    local d = todo[head]
    head = head + 1
    local dk = key("dependents", d)
    local reason = "dependency " .. d .. " " .. ((d == root and why) or "failed")
    for _, id in ipairs(redis.call("SMEMBERS", dk)) do
      if budget <= 0 then break end
      budget = budget - 1
      redis.call("SREM", dk, id)
      local jk = key("job", id)
      local j = redis.call("HMGET", jk, "status", "queue", "allowFailure", "task")
      if j[1] == "deferred" then
        if j[3] == "1" then
          if redis.call("HINCRBY", jk, "depsLeft", -1) <= 0 then undefer(id, j[2]) end
        else
          cancel_dependent(id, j[2], reason, j[4], root)
          forward_dependents(id, "failed")
          canceled[#canceled + 1] = id
          todo[#todo + 1] = id
        end
      end
    end
  end
  if budget <= 0 then
    emit("job.cascade_bounded", "warn", "settled " .. ENV.cascade .. " dependents of " .. root ..
      " in one step; cleanRegistries settles any rest", root, nil)
  end
  return canceled
end

-- a dependents set whose dependency already settled (a walk cut short by the bound, or a
-- dependency deleted by hand): settle it now by the dependency's state. Returns 1 when handled.
local function settle_leftovers(dep)
  if redis.call("EXISTS", key("dependents", dep), key("remote-dependents", dep)) == 0 then return 0 end
  local st = redis.call("HGET", key("job", dep), "status")
  if st and LIVE[st] then return 0 end
  if st == "finished" then
    release_dependents(dep)
  else
    fail_dependents(dep, st and "failed" or "was deleted")
  end
  return 1
end

-- dependency `dep` (on another tag) settled with `status` ("finished", "failed", "canceled",
-- "was deleted"), as its settle record says: deferred job `id` counts it once. A failure
-- cancels `id` (unless it allows failure) and walks its own dependents as fail_dependents does.
local function settle_remote(id, dep, status)
  if redis.call("HDEL", key("remote-deps", id), dep) == 0 then return 0 end
  local jk = key("job", id)
  local j = redis.call("HMGET", jk, "status", "queue", "allowFailure", "task")
  if j[1] ~= "deferred" then return 0 end
  if status == "finished" or j[3] == "1" then
    if redis.call("HINCRBY", jk, "depsLeft", -1) <= 0 then undefer(id, j[2]) end
    return 1
  end
  local why = status == "was deleted" and status or "failed"
  cancel_dependent(id, j[2], "dependency " .. dep .. " " .. why, j[4], dep)
  fail_dependents(id, "failed")
  return 1
end
