-- lease_acquire.lua: take a token lease (a patterns lock, the scheduler leader lease) when
-- nobody holds it; renew it when this token already holds it. With a fence hash the grant gets
-- a new fence number (see lease_lib.lua), so writers can refuse a stale holder.
-- KEYS[1] the lease key (keys.lock(name), keys.schedulerLeader())
-- KEYS[2] fence hash (optional: a fenced lease, keys.schedulerFence())
-- ARGV[1] token: random, unique to this holder
-- ARGV[2] ttl in ms
-- ARGV[3] now ms, kept as the grant time (optional: fenced leases only)
-- ARGV[4] fence floor: a new grant's number is above it (optional: fenced leases only; see
--   lease_lib.lua grant_fenced)
-- Returns: { 1, ttl ms, fence } when granted or renewed; { 0, pttl, 0 } when another token holds
--   it (pttl = ms its lease has left; -1 when the key has no expiry). fence: the lease number of
--   a fenced lease (0 when its fence hash has none), 0 for an unfenced one.
--@include lease_lib
-- fenced: told by ARGV[3], sent with the fence hash only (not by #KEYS: the caller's layer
-- appends a slot guard key after the declared ones, see src/redis/keys.ts slotGuardKey)
local fenced = ARGV[3] ~= nil
local holder = redis.call("GET", KEYS[1])
if holder == ARGV[1] then
  redis.call("PEXPIRE", KEYS[1], ARGV[2])
  return { 1, tonumber(ARGV[2]), fenced and (tonumber(redis.call("HGET", KEYS[2], "n")) or 0) or 0 }
end
if holder then
  return { 0, redis.call("PTTL", KEYS[1]), 0 }
end
if fenced then
  return { 1, tonumber(ARGV[2]), grant_fenced(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], ARGV[4]) }
end
redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2])
return { 1, tonumber(ARGV[2]), 0 }
