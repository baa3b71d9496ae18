-- clean.lua: drop expired entries of the given queues' finished, failed and canceled registries,
-- with their job hashes, attempt lists and children lists (retention; bounded per call); and
-- sweep the oldest deferred jobs of each queue for dependencies that settled without settling
-- them (a cancel walk cut short by its bound, a dependency deleted by hand; see deps_lib), and
-- write again the link records of those waiting on another tag for over a minute (a record lost
-- in a failover would leave them waiting for good; a link applied again changes nothing).
-- KEYS[1] the forward records of the call's tag (keys.forward(tag), forward_lib; routes the call)
-- KEYS[2] events stream of the call's tag (keys.events(tag))
-- ARGV[1] env header (see job_lib)
-- ARGV[2] now ms
-- ARGV[3] at most this many per registry (and deferred jobs looked at per queue)
-- ARGV[4..] the queues to sweep (the caller reads the queues set, an installation key:
--   src/queue/registry.ts cleanRegistries)
-- Returns: the number of jobs removed.
--@include deps_lib

local limit, n = tonumber(ARGV[3]), 0
local RELINK_AFTER_MS = 60000
for i = 4, #ARGV do
  local q = ARGV[i]
  n = n + trim_registry("finished", q, limit) + trim_registry("failed", q, limit) + trim_registry("canceled", q, limit)
  local deferred = redis.call("ZRANGE", key("deferred", q), 0, limit - 1, "WITHSCORES")
  for k = 1, #deferred, 2 do
    local id, since = deferred[k], tonumber(deferred[k + 1])
    local deps = redis.call("HGET", key("job", id), "dependsOn")
    for _, d in ipairs(deps and cjson.decode(deps) or {}) do
      if redis.call("SISMEMBER", key("dependents", d), id) == 1 then settle_leftovers(d) end
    end
    if since < NOW - RELINK_AFTER_MS then
      local remote = redis.call("HGETALL", key("remote-deps", id))
      for r = 1, #remote, 2 do
        forward_write("link\t" .. id .. "\t" .. remote[r], { kind = "link", job = id, queue = q, dep = remote[r], depQueue = remote[r + 1] })
      end
    end
  end
end
return n
