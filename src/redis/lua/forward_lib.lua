-- forward_lib.lua: forward records, the steps one tag's script causes on another tag (issue 17:
-- each queue's job keys on their own tag, and a script keeps to the keys of one tag).
-- Provides: forward_write, forward_dependents
--
-- A forward record is a field of this tag's forward hash (KEYS[1], keys.forward(tag)): a name
-- that says what it is for (so writing it twice is writing it once) and a JSON body. Kinds:
--   "link\t<job>\t<dep>"    { kind = "link", job, queue, dep, depQueue, at }: job (on this tag) waits
--                          on dep (on depQueue's tag), which must list job among its dependents
--   "settle\t<dep>\t<job>"  { kind = "settle", dep, status, job, queue, at }: dep (on this tag)
--                          settled with status; job (on queue's tag) counts it
--   "child\t<parent>\t<job>" { kind = "child", parent, parentQueue, job, queue, at }: job (on this
--                          tag) was enqueued from inside parent, whose list of children is on
--                          parentQueue's tag (child_link.lua)
--   "outcome\t<job>"       { kind = "outcome", task, outcome, at }: a scheduled job's final outcome
--                          for its schedule's state on the installation's tag (schedule_outcome_lib)
-- src/queue/forward-records.ts applies them (the writer at once, the worker's maintenance after
-- a notification on the channel named as KEYS[1], and its sweep for any left behind) and drops
-- each once its effect is written, only if it is still the body it applied (`at`, the writer's
-- now, tells a record written again for the same pair from the one applied). Every apply is idempotent (dependency_link.lua,
-- dependency_settle.lua), so a record applied twice (a crash before the drop) changes nothing.
--@include job_lib

-- returns the body written (a caller that applies it at once compares it at the drop)
local function forward_write(field, rec)
  rec.at = NOW
  local body = cjson.encode(rec)
  redis.call("HSET", KEYS[1], field, body)
  redis.call("PUBLISH", KEYS[1], field)
  return body
end

-- job `dep` of this tag settled (status: "finished", "failed", "was deleted"): a settle record
-- for each dependent on another tag (remote-dependents:<dep>, members "<queue>\t<job>")
local function forward_dependents(dep, status)
  local rk = key("remote-dependents", dep)
  local members = redis.call("SMEMBERS", rk)
  if #members == 0 then return 0 end
  for _, m in ipairs(members) do
    local q, job = string.match(m, "^([^\t]*)\t(.*)$")
    if q then
      forward_write("settle\t" .. dep .. "\t" .. job, { kind = "settle", dep = dep, status = status, job = job, queue = q })
    end
  end
  redis.call("DEL", rk)
  return #members
end
