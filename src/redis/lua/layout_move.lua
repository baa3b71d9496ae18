-- layout_move.lua: `scheduler layout queue` (src/ops/layout-move.ts): an installation on the
-- "installation" layout (every key on {prefix}) moves to the per-queue layout, by its marker,
-- only while nothing of it is in flight: no queued, scheduled, deferred, started or failed job
-- in any listed queue, no live worker, no scheduler leader (all on {prefix}, so one script sees
-- them at one instant). Its queue lists, wake lists and finished and canceled registries are
-- dropped (the ended jobs' hashes expire with their retention); what it keeps on {prefix} (the
-- events, the ledger, the schedules' records and counters) is read there on either layout.
-- KEYS[1] the layout marker (keys.layout())
-- KEYS[2] the queues set (keys.queues())
-- KEYS[3] the workers set (keys.workers())
-- KEYS[4] the scheduler's leader lease (keys.schedulerLeader())
-- ARGV[1] JSON: the installation layout's key prefix of each kind (queue, wake, scheduled,
--   deferred, started, failed, finished, canceled, worker), as keys.ts builds them
-- Returns: JSON { moved = true }, { layout = <the marker's> } when it is not "installation",
--   or { busy = { <queue> = { <kind> = n } }, workers = n, leader = bool } (nothing written)
local have = redis.call("GET", KEYS[1])
if have and have ~= "installation" then return cjson.encode({ layout = have }) end
local p = cjson.decode(ARGV[1])
local queues = redis.call("SMEMBERS", KEYS[2])
local busy = {}
local held = false
for _, q in ipairs(queues) do
  local counts = {}
  local n = redis.call("LLEN", p.queue .. q)
  if n > 0 then counts.queued = n end
  for _, kind in ipairs({ "scheduled", "deferred", "started", "failed" }) do
    local c = redis.call("ZCARD", p[kind] .. q)
    if c > 0 then counts[kind] = c end
  end
  if next(counts) then
    busy[q] = counts
    held = true
  end
end
local live = 0
for _, w in ipairs(redis.call("SMEMBERS", KEYS[3])) do
  if redis.call("EXISTS", p.worker .. w) == 1 then live = live + 1 end
end
local leader = redis.call("EXISTS", KEYS[4]) == 1
if held or live > 0 or leader then return cjson.encode({ busy = busy, workers = live, leader = leader }) end
for _, q in ipairs(queues) do
  redis.call("DEL", p.queue .. q, p.wake .. q, p.finished .. q, p.canceled .. q)
end
redis.call("SET", KEYS[1], "queue")
return cjson.encode({ moved = true })
