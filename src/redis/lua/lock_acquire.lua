-- lock_acquire: take a lock if nobody holds it (SET NX PX), else say how long the holder has left.
--
-- KEYS[1]  the lock key (keys.lock(name))
-- ARGV[1]  token: random, unique to this holder
-- ARGV[2]  ttl in ms
--
-- Returns {1, ttl} when acquired, {0, pttl} when held by someone else
-- (pttl = ms the holder's lease has left; -1 when the key has no expiry).
if redis.call("SET", KEYS[1], ARGV[1], "NX", "PX", ARGV[2]) then
  return {1, tonumber(ARGV[2])}
end
return {0, redis.call("PTTL", KEYS[1])}
