-- forward_drop.lua: drop a forward record (forward_lib) once its effect was written elsewhere, if
-- it is still the record that was applied (one written again since is kept for its own apply).
-- KEYS[1] the forward records of the call's tag (keys.forward(tag), forward_lib; routes the call)
-- KEYS[2] events stream of the call's tag (keys.events(tag))
-- ARGV[1] env header (see job_lib)
-- ARGV[2] now ms
-- ARGV[3] the record's field
-- ARGV[4] its body as applied
-- Returns: 1 when dropped, 0 when it was gone or written again.
if redis.call("HGET", KEYS[1], ARGV[3]) ~= ARGV[4] then return 0 end
return redis.call("HDEL", KEYS[1], ARGV[3])
