-- children_lib.lua: a parent job's list of the jobs enqueued from inside it (enqueue_lib, and
-- child_link.lua for a parent on another tag).
-- Provides: record_child
--@include job_lib

-- the job hash of a job enqueued from inside job `parent` lists it among the parent's children
local function record_child(parent, id)
  local pk = key("job", parent)
  if redis.call("EXISTS", pk) == 0 then return end -- e.g. a parent run with `now` (never stored)
  local ck = key("children", parent)
  redis.call("RPUSH", ck, id)
  redis.call("LTRIM", ck, -ENV.ccap, -1)
  redis.call("HINCRBY", pk, "childCount", 1)
  -- the list lives as long as its parent (a retired parent has a TTL)
  local ttl = redis.call("PTTL", pk)
  if ttl > 0 then redis.call("PEXPIRE", ck, ttl) end
end
