-- layout_claim.lua: the installation's key layout (src/redis/key-layout.ts), claimed by a
-- process whose hooks name one (`key_layout`), or adopted by the first process to write jobs on a
-- prefix (ARGV[1] then the layout of new installations, "queue"): the marker is set to it when it is absent and the
-- prefix holds no installation yet. A prefix with the installation's own keys but no marker runs
-- on the "installation" layout (every installation before the marker): it is answered
-- "existing", and marked "installation" when that is the layout asked for.
-- KEYS[1] the layout marker (keys.layout())
-- KEYS[2] the queues set (keys.queues()): written by every enqueue
-- KEYS[3] the installation's events stream (keys.events())
-- KEYS[4] the scheduler's state hash (keys.schedulerState())
-- KEYS[5] the scheduler's leader lease (keys.schedulerLeader())
-- KEYS[6] the workers set (keys.workers())
-- ARGV[1] the layout asked for: "installation" or "queue"
-- Returns: the marker's value when it is set (whatever it names), ARGV[1] when it was just set,
--   or "existing" (an unmarked installation, when "queue" was asked for).
local have = redis.call("GET", KEYS[1])
if have then return have end
if redis.call("EXISTS", KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]) > 0 then
  if ARGV[1] ~= "installation" then return "existing" end
end
redis.call("SET", KEYS[1], ARGV[1])
return ARGV[1]
