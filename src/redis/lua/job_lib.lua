-- job_lib.lua: the env header, key building, events, attempt records and retention shared by
-- the job scripts (pasted in once by `--@include job_lib`, see src/redis/script-source.ts).
-- Provides: KEY_ROOT, HOME_ROOT, ENV, NOW, HISTORY_ON, EVENTS_KEY, LIVE, key, emit, emit_job,
--   record_attempt, push_queued, trim_wake, retire, trim_registry, owns
-- Every including script follows this convention:
--   KEYS[1] = keys.forward(tag): the tag's forward records (forward_lib), and the call's route to its tag's slot,
--   KEYS[2] = events stream of the call's tag (keys.events(tag))
--   ARGV[1] = env header, space-separated (src/queue/job-scripts.ts scriptHeader):
--             "<root> <ml> <cap> <ccap> <cascade> <cttl> [<hist> [<home>]]": root = the key prefix keys.ts puts
--             before "<kind>:<name>" on the call's tag (e.g. "{hs}:", "{hs:default}:"), ml = events MAXLEN, cap = attempt records
--             kept per job, ccap = child ids kept per job, cascade = dependents settled per
--             call, cttl = retention (ms) of jobs a script cancels, hist = "0" when the per-minute
--             history is off, home = the installation's root, only on another tag (HOME_ROOT). (One string.match: a JSON
--             header cost a cjson.decode of ~500 bytes on every job script call.)
--   ARGV[2] = now (ms, from the caller's Clock; the server clock is never read)
-- Per-job and per-queue keys are root .. kind .. ":" .. id-or-queue-name (job-scripts.ts checks
-- that keys.ts builds them so): every key carries the call's hash tag, so all of them live in
-- the slot of KEYS[1] (Cluster-safe).
local KEY_ROOT, H_ML, H_CAP, H_CCAP, H_CASCADE, H_CTTL, H_HIST, H_HOME = string.match(ARGV[1], "^(%S+) (%d+) (%d+) (%d+) (%d+) (%d+) ?(%d*) ?(%S*)$")
if not H_CTTL then
  return redis.error_reply("ERR job script header (ARGV[1]) is not '<root> <ml> <cap> <ccap> <cascade> <cttl> [<hist> [<home>]]': build it with scriptHeader() in src/queue/job-scripts.ts")
end
-- the installation's key root ("{hs}:") when the call's tag is another one (a queue's own tag,
-- issue 17), else nil: what belongs on the installation's tag (the schedules' state) is then
-- written as a forward record (forward_lib) instead of in place
local HOME_ROOT = H_HOME ~= "" and H_HOME or nil
local ENV = { ml = H_ML, cap = tonumber(H_CAP), ccap = tonumber(H_CCAP), cascade = tonumber(H_CASCADE), cttl = tonumber(H_CTTL) }
local NOW = tonumber(ARGV[2])
-- the per-minute history (history_lib); the header's optional 7th field "0" turns it off
local HISTORY_ON = H_HIST ~= "0"
local EVENTS_KEY = KEYS[2]

-- statuses in which an id is taken (dedup, overlap, reuse)
local LIVE = { queued = true, scheduled = true, deferred = true, started = true }

local function key(kind, name)
  return KEY_ROOT .. kind .. ":" .. name
end

local function emit(etype, level, msg, id, queue, extra)
  local e = { type = etype, level = level, at = NOW, msg = msg, jobId = id, queue = queue }
  if extra then
    for k, v in pairs(extra) do e[k] = v end
  end
  redis.call("XADD", EVENTS_KEY, "MAXLEN", "~", ENV.ml, "*", "e", cjson.encode(e))
end

-- emit() for the two events every job writes (started, finished): the JSON is concatenated,
-- not a table built and encoded, and cjson only escapes the strings. task may be nil.
local function emit_job(etype, level, msg, id, queue, worker, task)
  local json = '{"type":"' .. etype .. '","level":"' .. level .. '","at":' .. string.format("%d", NOW)
    .. ',"msg":' .. cjson.encode(msg) .. ',"jobId":' .. cjson.encode(id) .. ',"queue":' .. cjson.encode(queue)
    .. ',"worker":' .. cjson.encode(worker) .. (task and (',"task":' .. cjson.encode(task)) or "") .. "}"
  redis.call("XADD", EVENTS_KEY, "MAXLEN", "~", ENV.ml, "*", "e", json)
end

local function record_attempt(id, rec)
  local k = key("attempts", id)
  -- RPUSH answers the length: trim only past the cap (most jobs never reach it)
  if redis.call("RPUSH", k, cjson.encode(rec)) > ENV.cap then
    redis.call("LTRIM", k, -ENV.cap, -1)
  end
end

-- push an id onto its queue list plus one wake marker (one marker wakes one blocked worker)
local function push_queued(id, queue, front)
  if front then
    redis.call("LPUSH", key("queue", queue), id)
  else
    redis.call("RPUSH", key("queue", queue), id)
  end
  redis.call("RPUSH", key("wake", queue), "1")
end

-- wake markers never outnumber the jobs waiting in the queue (bounded memory, few spurious wakes)
local function trim_wake(queue)
  local n = redis.call("LLEN", key("queue", queue))
  if n == 0 then
    redis.call("DEL", key("wake", queue))
  else
    redis.call("LTRIM", key("wake", queue), 0, n - 1)
  end
end

-- move a job to a retention registry (finished/failed/canceled): score = expiry, hash TTL alike
-- (its attempt history and children list go with it). has_children: false when the caller read
-- the job's childCount and it has none (the children list cannot exist: record_child writes both),
-- so the PEXPIRE of a missing key is skipped; nil when unknown. has_attempts: likewise for the
-- attempt history (false: a first attempt that finished, which records none).
local function retire(id, queue, kind, ttl_ms, has_children, has_attempts)
  redis.call("ZADD", key(kind, queue), NOW + ttl_ms, id)
  redis.call("PEXPIRE", key("job", id), ttl_ms)
  if has_attempts ~= false then redis.call("PEXPIRE", key("attempts", id), ttl_ms) end
  if has_children ~= false then redis.call("PEXPIRE", key("children", id), ttl_ms) end
end

-- drop expired entries of a retention registry with their hashes, at most `limit` of them
local function trim_registry(kind, queue, limit)
  local reg = key(kind, queue)
  local ids = redis.call("ZRANGEBYSCORE", reg, "-inf", NOW, "LIMIT", 0, limit)
  for _, id in ipairs(ids) do
    redis.call("DEL", key("job", id), key("attempts", id), key("children", id))
    redis.call("ZREM", reg, id)
  end
  return #ids
end

-- true when `worker` holds the lease of job `id` (status started, owner, in started registry)
local function owns(id, worker)
  local st = redis.call("HMGET", key("job", id), "status", "worker", "queue")
  if st[1] ~= "started" or st[2] ~= worker then return nil end
  if not redis.call("ZSCORE", key("started", st[3]), id) then return nil end
  return st[3]
end
